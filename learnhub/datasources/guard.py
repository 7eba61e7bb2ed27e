"""Store calls with a timeout and a circuit breaker per store, and outages told apart from bugs.

Measured before this module (c=8 of catalogue, dashboard and progress writes; each store frozen
with SIGSTOP for 10 s): no request completed while MongoDB or PostgreSQL was frozen (each waited
for the 10 s operation timeout, then 504), and a killed store surfaced as INTERNAL_SERVER_ERROR
carrying the driver's text (`Connect call failed ('127.0.0.1', 28319)`).

Now the narrow places every hot read passes through (postgres/raw.py, the MongoDB by-id reads,
the rate limiter) run under `StoreGuard.run`: a timeout from settings, a breaker that fails fast
once the store has failed a few times in a row, and StoreUnavailable(store) in place of the
driver's error. The SQLAlchemy engines (writes and rare reads) get the same breaker through
their events (`watch_engine`) and asyncpg's `command_timeout`. Anything else a store raises is
recognised by `outage_store` where errors are shaped, so no outage reaches a client as an
internal error.

Guards are found through the client they guard (`guard_of`), as raw.py finds its pool through
the engine: function signatures stay as they are, and clients opened outside `Stores` (seeds,
tests) run unguarded.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

import pymongo
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.breaker import Breaker, State
from learnhub.core.errors import StoreUnavailable
from learnhub.core.settings import Settings

T = TypeVar("T")

POSTGRES = "PostgreSQL"
MONGODB = "MongoDB"
REDIS = "Redis"

# The driver packages whose errors mean "this store", by the module an exception class comes from.
_DRIVER_STORES = (
    ("asyncpg", POSTGRES),
    ("sqlalchemy", POSTGRES),
    ("pymongo", MONGODB),
    ("motor", MONGODB),
    ("redis", REDIS),
)


Deadline = Callable[[float], AbstractContextManager[Any] | AbstractAsyncContextManager[Any]]


class StoreGuard:
    """One store's timeout and breaker.

    `deadline`: how a call is bounded, asyncio's timeout unless the driver needs its own.
    PyMongo does: cancelling one of its calls while it waits for a server (as asyncio's timeout
    does) left its topology lock released twice ("Lock is not acquired"), and every later call
    failed until the process restarted (seen with MongoDB killed under load, PyMongo 4.20), so
    MongoDB calls use `pymongo.timeout`, which ends them from inside the driver."""

    __slots__ = ("breaker", "deadline", "store", "timeout")

    def __init__(self, store: str, timeout: float, breaker: Breaker, deadline: Deadline | None = None) -> None:
        self.store = store
        self.timeout = timeout
        self.breaker = breaker
        self.deadline: Deadline = deadline or asyncio.timeout

    def refuse_if_open(self) -> None:
        if not self.breaker.allow():
            raise StoreUnavailable(self.store)

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """`await fn(*args)` within this store's timeout, or StoreUnavailable at once while the
        breaker is open. An error the store answered with (a constraint, a bad query) is the
        store working: it closes the breaker and is raised as it is."""
        breaker = self.breaker
        if not breaker.allow():
            raise StoreUnavailable(self.store)
        try:
            result = await self._bounded(fn, args)
        except StoreUnavailable:
            breaker.released()
            raise
        except Exception as exc:
            if is_outage(exc):
                breaker.failed()
                raise StoreUnavailable(self.store) from exc
            breaker.succeeded()
            raise
        except BaseException:  # cancelled from outside: says nothing about the store
            breaker.released()
            raise
        breaker.succeeded()
        return result

    async def _bounded(self, fn: Callable[..., Awaitable[T]], args: tuple[Any, ...]) -> T:
        bound = self.deadline(self.timeout)
        if isinstance(bound, AbstractAsyncContextManager):
            async with bound:
                return await fn(*args)
        with bound:
            return await fn(*args)


@dataclass(frozen=True)
class Guards:
    postgres: StoreGuard
    mongodb: StoreGuard
    redis: StoreGuard

    @classmethod
    def from_settings(cls, settings: Settings) -> Guards:
        def breaker() -> Breaker:
            return Breaker(
                failures=settings.breaker_failures,
                window=settings.breaker_window_seconds,
                cooldown=settings.breaker_cooldown_seconds,
            )

        return cls(
            StoreGuard(POSTGRES, settings.postgres_timeout_seconds, breaker()),
            StoreGuard(MONGODB, settings.mongodb_timeout_seconds, breaker(), pymongo.timeout),
            StoreGuard(REDIS, settings.redis_timeout_seconds, breaker()),
        )

    def open_breakers(self) -> list[str]:
        """The stores whose breaker is open right now (not those being probed)."""
        return [g.store for g in (self.postgres, self.mongodb, self.redis) if g.breaker.state is State.OPEN]


_GUARDS: weakref.WeakKeyDictionary[Any, StoreGuard] = weakref.WeakKeyDictionary()


def register(client: Any, guard: StoreGuard) -> None:
    """Calls made through `client` (an engine, a MongoDB client, a Redis client) use `guard`."""
    _GUARDS[client] = guard


def guard_of(client: Any) -> StoreGuard | None:
    return _GUARDS.get(client)


def watch_engine(engine: AsyncEngine, guard: StoreGuard) -> None:
    """The breaker around a SQLAlchemy engine: no new connection is opened and no statement sent
    while it is open; outages count as failures and reach the caller as StoreUnavailable."""
    register(engine, guard)
    breaker = guard.breaker
    sync_engine = engine.sync_engine

    def refuse_if_open(*_: Any, **__: Any) -> None:
        # Only a fully open breaker refuses here; in half-open state these calls may be the probe.
        if breaker.state is State.OPEN:
            raise StoreUnavailable(guard.store)

    def answered(*_: Any) -> None:
        if breaker.state is not State.CLOSED:
            breaker.succeeded()

    def failed(context: ExceptionContext) -> None:
        exc = context.original_exception
        if isinstance(exc, StoreUnavailable):
            return
        if context.is_disconnect or is_outage(exc):
            breaker.failed()
            raise StoreUnavailable(guard.store) from exc

    event.listen(sync_engine, "do_connect", refuse_if_open)
    event.listen(sync_engine, "before_cursor_execute", refuse_if_open)
    event.listen(sync_engine, "after_cursor_execute", answered)
    event.listen(sync_engine, "handle_error", failed)


def is_outage(exc: BaseException) -> bool:
    """The store could not be reached or did not answer in time (not: it answered with an error)."""
    for link in _chain(exc):
        if isinstance(link, (TimeoutError, ConnectionError)):
            return True
        if isinstance(link, OSError) and link.errno is not None:
            return True
        name = type(link).__name__
        module = type(link).__module__
        if module.startswith("pymongo") and (name in _MONGO_OUTAGES or getattr(link, "timeout", False)):
            return True
        if module.startswith("redis") and name in _REDIS_OUTAGES:
            return True
        if module.startswith("asyncpg") and name in _ASYNCPG_OUTAGES:
            return True
    return False


def outage_store(exc: BaseException) -> str | None:
    """The store an unexpected exception says is down, or None when it is not an outage."""
    if isinstance(exc, StoreUnavailable):
        return exc.store
    if not is_outage(exc):
        return None
    for link in _chain(exc):
        store = _store_of_module(type(link).__module__)
        if store is not None:
            return store
    # A bare OSError or TimeoutError (asyncpg's connect raises them): the driver that raised it
    # is in the traceback.
    for link in _chain(exc):
        tb = link.__traceback__
        found = None
        while tb is not None:
            found = _store_of_module(str(tb.tb_frame.f_globals.get("__name__", ""))) or found
            tb = tb.tb_next
        if found is not None:
            return found
    return None


_MONGO_OUTAGES = frozenset(
    {"AutoReconnect", "ConnectionFailure", "NetworkTimeout", "ServerSelectionTimeoutError", "ExecutionTimeout"}
)
_REDIS_OUTAGES = frozenset({"ConnectionError", "TimeoutError", "BusyLoadingError"})
_ASYNCPG_OUTAGES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "PostgresConnectionError",
        "CannotConnectNowError",
        "AdminShutdownError",
        "CrashShutdownError",
        "ClientCannotConnectError",
        "SqlclientUnableToEstablishSqlconnectionError",
    }
)


def _store_of_module(module: str) -> str | None:
    for prefix, store in _DRIVER_STORES:
        if module == prefix or module.startswith(prefix + "."):
            return store
    return None


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (SQLAlchemy's `.orig`) and its causes, each once."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 8:
        link = todo.pop()
        if link is None or any(link is s for s in seen):
            continue
        seen.append(link)
        todo += [link.__cause__, link.__context__, getattr(link, "orig", None)]
    return seen
