"""Every store client of the process: opened once in the lifespan, closed once at shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pymongo
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.settings import Settings, redact_url
from learnhub.datasources.embeddings import Embedder, make_embedder
from learnhub.datasources.guard import Guards, register, watch_engine
from learnhub.datasources.mail import Outbox, make_mailer
from learnhub.datasources.mongo.client import init_documents, make_client
from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.ratelimit import RateLimiter
from learnhub.datasources.redis import make_redis
from learnhub.datasources.storage import Storage
from learnhub.datasources.typesense import Typesense

Doc = dict[str, Any]


# Stores the gateway can serve without: search degrades to pgvector (SEARCH_DEGRADED), and
# without object storage uploads wait while everything else answers (STORAGE_UNAVAILABLE).
OPTIONAL_STORES = frozenset({"Typesense", "S3"})


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
    search: Typesense
    limiter: RateLimiter = field(init=False)
    outbox: Outbox = field(init=False)
    embedder: Embedder = field(init=False)
    vectors: AsyncEngine = field(init=False)
    # asyncpg's pool for the hot reads (raw.py), attached to `engine`; made by `open`.
    read_pool: Any = field(init=False, default=None)
    # A timeout and circuit breaker per store (datasources/guard.py), found through each client.
    guards: Guards = field(init=False)
    # Readiness checks still running after /readyz answered (kept referenced until they end).
    _readiness_left: set[asyncio.Task[str | None]] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.guards = Guards.from_settings(self.settings)
        self.limiter = RateLimiter(self.redis, self.guards.redis)
        self.outbox = Outbox(make_mailer(self.settings))
        # The model is in the package, loaded once per process (0.12 s), shared read-only.
        self.embedder = make_embedder(self.settings)
        self.vectors = make_engine(self.settings, vectors=True, guarded=True)
        watch_engine(self.engine, self.guards.postgres)
        watch_engine(self.vectors, self.guards.postgres)
        register(self.mongo, self.guards.mongodb)
        register(self.redis, self.guards.redis)

    @classmethod
    async def open(cls, settings: Settings) -> Stores:
        """Create every client; no store is contacted yet."""
        mongo = make_client(settings)
        mongo_db = mongo[settings.mongodb_database]
        storage = Storage(settings)
        await storage.open()
        engine = make_engine(settings, guarded=True)
        stores = cls(settings, engine, mongo, mongo_db, make_redis(settings), storage, Typesense(settings))
        stores.read_pool = await raw.open_pool(engine, settings)
        raw.attach(engine, stores.read_pool)
        return stores

    async def bind_documents(self) -> None:
        """Beanie's document binding talks to MongoDB, so it runs after `check_reachable`."""
        await init_documents(self.mongo_db)

    async def close(self) -> None:
        await self.outbox.drain()
        if self.read_pool is not None:
            raw.detach(self.engine)
            await self.read_pool.close()
        await self.engine.dispose()
        await self.vectors.dispose()
        await self.mongo.close()
        await self.redis.aclose()
        await self.storage.close()
        await self.search.close()

    def _checks(self) -> dict[str, tuple[str, Callable[[], Awaitable[Any]]]]:
        s = self.settings

        async def postgres() -> None:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            if self.read_pool is not None:
                await raw.fetch_val(self.engine, "SELECT 1")

        return {
            "PostgreSQL": (redact_url(s.database_url), postgres),
            "MongoDB": (redact_url(s.mongodb_url), lambda: self.mongo.admin.command("ping")),
            "Redis": (redact_url(s.redis_url), self.redis.ping),
            "S3": (f"{s.s3_endpoint_url or 'AWS'} bucket {s.s3_bucket}", self.storage.ping),
            "Typesense": (s.typesense_url, self.search.ping),
        }

    async def readiness(self) -> dict[str, str]:
        """Each store that did not answer within the readiness timeout (or failed), with why in
        a word (no hosts or ports); every check runs at once, so this returns within the timeout
        however many stores are down. Empty: every store answered."""
        checks = self._checks()
        timeout = self.settings.readiness_timeout_seconds

        async def run(check: Callable[[], Awaitable[Any]]) -> str | None:
            try:
                # PyMongo is bounded from inside (see guard.StoreGuard), the others by their own
                # store timeouts; a check still running at the deadline is not waited for.
                with pymongo.timeout(timeout * 0.9):
                    await check()
            except Exception:  # the log has the driver's words; readiness only names the store
                return "unavailable"
            return None

        tasks = {name: asyncio.create_task(run(fn)) for name, (_, fn) in checks.items()}
        # Not asyncio.wait_for: it waits for a cancelled check to end, and a SQLAlchemy connection
        # cancelled on a frozen PostgreSQL took 2.5 s to (measured); readiness must answer in 1 s.
        await asyncio.wait(tasks.values(), timeout=timeout)
        failed = {}
        for name, task in tasks.items():
            if not task.done():
                failed[name] = "timed out"
                # Left to end by its own timeout: cancelling a PyMongo call can break its client.
                self._readiness_left.add(task)
                task.add_done_callback(self._readiness_left.discard)
            elif (why := task.result()) is not None:
                failed[name] = why
        return failed

    async def check_reachable(self) -> list[str]:
        """Try every store at once; raise one error naming each required store that failed and
        why. Returns the optional stores that failed (Typesense, S3: search then answers from
        pgvector alone, uploads wait, and the rest of the API need not go down with them)."""
        checks = self._checks()
        timeout = self.settings.store_connect_timeout_seconds

        async def run(check: Callable[[], Awaitable[Any]]) -> BaseException | None:
            try:
                await asyncio.wait_for(check(), timeout)
            except Exception as exc:
                return exc
            return None

        results = await asyncio.gather(*(run(fn) for _, fn in checks.values()))
        failures = {
            name: f"  - {name} at {where}: {type(exc).__name__}: {_first_line(exc)}"
            for (name, (where, _)), exc in zip(checks.items(), results, strict=True)
            if exc is not None
        }
        required = [line for name, line in failures.items() if name not in OPTIONAL_STORES]
        if required:
            raise StoresUnreachable("Cannot reach these stores:\n" + "\n".join(failures.values()))
        return [line.strip(" -") for line in failures.values()]


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else "timed out"
