"""The SQLAlchemy async engine (asyncpg) and its round-trip accounting."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from learnhub.core import stats
from learnhub.core.settings import Settings
from learnhub.observability import stores as store_calls


def connect_args(settings: Settings, *, guarded: bool = False) -> dict[str, Any]:
    """What every connection to PostgreSQL is opened with (the engines' and the read pool's).

    `guarded` (the gateway's and worker's stores): a connection attempt and each statement are
    bounded by PostgreSQL's store timeout, so a frozen server (open sockets, no answers) fails
    the call instead of hanging it. Seeds and migrations keep unbounded statements."""
    args: dict[str, Any] = {
        "timeout": settings.store_connect_timeout_seconds,
        "server_settings": {"application_name": "learnhub-gateway"},
    }
    if guarded:
        args["timeout"] = min(settings.store_connect_timeout_seconds, settings.postgres_timeout_seconds)
        args["command_timeout"] = settings.postgres_timeout_seconds
    return args


def make_engine(settings: Settings, *, vectors: bool = False, guarded: bool = False) -> AsyncEngine:
    """One pool per process. Reads run in autocommit (no BEGIN/COMMIT round trips).

    `vectors`: the small pool for nearest-neighbour queries. Its statements are always planned
    with their parameters: a generic plan of `embedding <=> CAST($1 AS vector)` cannot use the
    HNSW index and scanned every chunk (measured at scale 10: 30 ms at 28,994 chunks, against
    0.6 ms through the index)."""
    args = connect_args(settings, guarded=guarded)
    if vectors:
        # Filtered vector searches (visibility, course, tags) keep scanning the HNSW index until
        # enough rows pass, instead of returning fewer (pgvector 0.8).
        args["server_settings"] |= {"hnsw.iterative_scan": "relaxed_order", "plan_cache_mode": "force_custom_plan"}
    size = max(2, settings.database_pool_size // 4) if vectors else settings.database_pool_size
    engine = create_async_engine(
        settings.database_url,
        pool_size=size,
        max_overflow=size,
        pool_pre_ping=False,  # a broken connection surfaces as an error, not a hidden extra query
        connect_args=args,
    )

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _count(*_: Any) -> None:
        stats.record("postgres")

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _call_started(*args: Any) -> None:
        # (conn, cursor, statement, parameters, context, executemany)
        statement, context = args[2], args[4]
        if context is not None:
            context.learnhub_call = store_calls.start("postgres", "", statement)

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _call_done(*args: Any) -> None:
        store_calls.finish(getattr(args[4], "learnhub_call", None))

    @event.listens_for(engine.sync_engine, "handle_error")
    def _call_failed(exception_context: Any) -> None:
        context = exception_context.execution_context
        store_calls.finish(getattr(context, "learnhub_call", None), exception_context.original_exception)

    return engine


@functools.lru_cache(maxsize=8)
def reads(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, in autocommit: a read is one statement, one round trip.

    Made once per engine: building the option engine on every read was a tenth of a hot read's
    PostgreSQL time. (A handful of engines per process; the bound only matters to tests.)
    """
    return engine.execution_options(isolation_level="AUTOCOMMIT")
