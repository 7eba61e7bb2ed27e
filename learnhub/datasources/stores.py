"""Every store client of the process: opened once in the lifespan, closed once at shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.settings import Settings, redact_url
from learnhub.datasources.mail import Outbox, make_mailer
from learnhub.datasources.mongo.client import init_documents, make_client
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.ratelimit import RateLimiter
from learnhub.datasources.redis import make_redis
from learnhub.datasources.search import Search
from learnhub.datasources.storage import Storage

Doc = dict[str, Any]


class StoresUnreachable(RuntimeError):
    """Start-up found one or more stores it cannot use; the message names each of them."""


@dataclass
class Stores:
    settings: Settings
    engine: AsyncEngine
    mongo: AsyncMongoClient[Doc]
    mongo_db: AsyncDatabase[Doc]
    redis: Redis
    storage: Storage
    search: Search
    limiter: RateLimiter = field(init=False)
    outbox: Outbox = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.redis)
        self.outbox = Outbox(make_mailer(self.settings))

    @classmethod
    async def open(cls, settings: Settings) -> Stores:
        """Create every client; no store is contacted yet."""
        mongo = make_client(settings)
        mongo_db = mongo[settings.mongodb_database]
        storage = Storage(settings)
        await storage.open()
        return cls(settings, make_engine(settings), mongo, mongo_db, make_redis(settings), storage, Search(settings))

    async def bind_documents(self) -> None:
        """Beanie's document binding talks to MongoDB, so it runs after `check_reachable`."""
        await init_documents(self.mongo_db)

    async def close(self) -> None:
        await self.outbox.drain()
        await self.engine.dispose()
        await self.mongo.close()
        await self.redis.aclose()
        await self.storage.close()
        await self.search.close()

    def _checks(self) -> dict[str, tuple[str, Callable[[], Awaitable[Any]]]]:
        s = self.settings

        async def postgres() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))

        return {
            "PostgreSQL": (redact_url(s.database_url), postgres),
            "MongoDB": (redact_url(s.mongodb_url), lambda: self.mongo.admin.command("ping")),
            "Redis": (redact_url(s.redis_url), self.redis.ping),
            "S3": (f"{s.s3_endpoint_url or 'AWS'} bucket {s.s3_bucket}", self.storage.ping),
            "Typesense": (s.typesense_url, self.search.ping),
        }

    async def check_reachable(self) -> None:
        """Try every store at once; raise one error naming each store that failed and why."""
        checks = self._checks()
        timeout = self.settings.store_connect_timeout_seconds

        async def run(check: Callable[[], Awaitable[Any]]) -> BaseException | None:
            try:
                await asyncio.wait_for(check(), timeout)
            except Exception as exc:
                return exc
            return None

        results = await asyncio.gather(*(run(fn) for _, fn in checks.values()))
        failures = [
            f"  - {name} at {where}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'timed out'}"
            for (name, (where, _)), exc in zip(checks.items(), results, strict=True)
            if exc is not None
        ]
        if failures:
            raise StoresUnreachable("Cannot reach these stores:\n" + "\n".join(failures))
