"""Hot reads straight on asyncpg: SQL text, prepared once per connection, rows as asyncpg Records.

Why: SQLAlchemy Core compiles every statement and wraps every row it returns. Measured at
scale 10, CPU per call through SQLAlchemy -> here: 20 courses by id 0.83 -> 0.28 ms, a
catalogue page 0.86 -> 0.30 ms, the question bank's course lists 0.95 -> 0.33 ms, progress
for 1,000 (user, lesson) pairs 12.5 -> 7.0 ms. So the by-key loaders and the list pages read
here; writes and rare reads stay on SQLAlchemy (engine.py). The SQLModel tables stay the
schema, Alembic's and these statements' (they name columns through `names`). CPU per request
in process (bench shapes; medians of interleaved before/after runs, the public cache off):
    dashboard      33.4 -> 29.5 ms
    catalog         8.6 ->  6.6 ms
    hot             3.9 ->  2.9 ms
    question_list  23.4 -> 22.7 ms (one statement; within the runs' spread)

The pool is the engine's twin: opened from the engine's URL with the same connection
arguments, as many connections (`pool_size` plus as many overflow ones) and as many prepared
statements per connection. A read is one statement outside any transaction (autocommit, as
`reads(engine)` runs them), on a session PostgreSQL keeps read-only.

Stores.open attaches the pool to its engine; the read functions take the engine, as they
always have, and find the pool through it.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
from sqlalchemy import Column
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core import stats
from learnhub.core.settings import Settings
from learnhub.datasources.guard import guard_of
from learnhub.datasources.postgres.engine import connect_args
from learnhub.observability import stores as store_calls

# SQLAlchemy's asyncpg dialect keeps this many prepared statements per connection unless the
# URL says otherwise (`?prepared_statement_cache_size=`); asyncpg's own cache is the same size.
STATEMENT_CACHE_SIZE = 100
# How long a read waits for a free connection: SQLAlchemy's QueuePool default, which the engine
# runs with. (Waiting with a timeout costs asyncpg a task per read, about 0.02 ms.)
POOL_TIMEOUT = 30.0
# Keyword arguments SQLAlchemy's dialect reads from the URL for itself, not for asyncpg.connect.
_DIALECT_ONLY = ("prepared_statement_cache_size", "prepared_statement_name_func")


class Row(asyncpg.Record):  # type: ignore[misc]  # asyncpg ships no type information
    """A row read here. Like SQLAlchemy's RowMapping it is read by column name (`row["id"]`,
    `.get()`, `.keys()`, `.items()`, `in`, `dict(row)`, `**row`), is a Mapping, and iterates over
    its column names (a plain Record iterates over its values). Unlike RowMapping it has no
    access by SQLAlchemy column object, and equal rows are rows with equal values."""

    __slots__ = ()

    def __iter__(self) -> Iterator[str]:
        keys: Iterator[str] = self.keys()
        return keys


Mapping.register(Row)


async def _keep_session(_: Any) -> None:
    """Releasing a connection leaves its session as it is. asyncpg's default reset sends
    `pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL` on every release, a second
    round trip per read (measured: 0.05 ms CPU, 0.08 ms wall); these reads change no session
    state, and an open transaction is still rolled back by the pool."""


async def open_pool(engine: AsyncEngine, settings: Settings) -> Any:
    """An asyncpg pool on the engine's database. No connection is made until the first read."""
    _, kwargs = engine.dialect.create_connect_args(engine.url)
    cache = int(kwargs.get("prepared_statement_cache_size", STATEMENT_CACHE_SIZE))
    for name in _DIALECT_ONLY:
        kwargs.pop(name, None)
    args = connect_args(settings, guarded=True)
    args["server_settings"] |= {"default_transaction_read_only": "on"}
    size = settings.database_pool_size
    return await asyncpg.create_pool(
        **kwargs,
        **args,
        min_size=0,
        max_size=2 * size,  # the engine's pool_size plus max_overflow
        max_inactive_connection_lifetime=0,  # the engine keeps idle connections open too
        statement_cache_size=cache,
        record_class=Row,
        reset=_keep_session,
    )


_POOLS: weakref.WeakKeyDictionary[AsyncEngine, Any] = weakref.WeakKeyDictionary()


def attach(engine: AsyncEngine, pool: Any) -> None:
    """Reads given `engine` run on `pool` from now on."""
    _POOLS[engine] = pool


def detach(engine: AsyncEngine) -> Any | None:
    return _POOLS.pop(engine, None)


class NoReadPool(RuntimeError):
    """A hot read was given an engine that no read pool is attached to (open it with Stores)."""


def _pool(engine: AsyncEngine) -> Any:
    try:
        return _POOLS[engine]
    except KeyError:
        raise NoReadPool("no read pool is attached to this engine; open the stores with Stores.open") from None


async def _run(engine: AsyncEngine, method: str, sql: str, args: tuple[Any, ...]) -> Any:
    """One statement on a pooled connection, within PostgreSQL's timeout and breaker when the
    engine has them (datasources/guard.py): StoreUnavailable instead of a hang or a driver error."""
    store_guard = guard_of(engine)
    if store_guard is None:
        return await _run_unguarded(engine, method, sql, args)
    return await store_guard.run(_run_unguarded, engine, method, sql, args)


async def _run_unguarded(engine: AsyncEngine, method: str, sql: str, args: tuple[Any, ...]) -> Any:
    """One statement on a pooled connection: one round trip, counted once as the engine's
    cursor event counts each statement it sends (a failing statement included)."""
    pool = _pool(engine)
    async with pool.acquire(timeout=POOL_TIMEOUT) as conn:
        stats.record("postgres")
        call = store_calls.start("postgres", "", sql)
        try:
            result = await getattr(conn, method)(sql, *args)
        except BaseException as exc:
            store_calls.finish(call, exc)
            raise
        store_calls.finish(call)
        return result


async def fetch(engine: AsyncEngine, sql: str, *args: Any) -> list[Row]:
    """Every row of the statement."""
    rows: list[Row] = await _run(engine, "fetch", sql, args)
    return rows


async def fetch_row(engine: AsyncEngine, sql: str, *args: Any) -> Row | None:
    """The statement's first row, if any."""
    row: Row | None = await _run(engine, "fetchrow", sql, args)
    return row


async def fetch_val(engine: AsyncEngine, sql: str, *args: Any) -> Any:
    """The first column of the statement's first row (None without rows)."""
    return await _run(engine, "fetchval", sql, args)


class Args:
    """The positional parameters of a statement being put together: each value bound gets the
    next placeholder (`$1`, `$2`, ...), so fragments can be joined without counting by hand."""

    __slots__ = ("values",)

    def __init__(self, *values: Any) -> None:
        self.values = list(values)

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


def names(*columns: Column[Any]) -> str:
    """The columns as a select list, each qualified by its table (`courses.id, courses.level`):
    statements name what the SQLModel tables define, spelled in one place."""
    return ", ".join(f"{column.table.name}.{column.name}" for column in columns)


def select(columns: str, source: str, *where: str, then: str = "") -> str:
    """`SELECT columns FROM source WHERE where[0] AND ... then`, from fixed fragments of this
    package: every value a statement compares with travels as a parameter."""
    sql = f"SELECT {columns} FROM {source}"  # noqa: S608 - fixed fragments, values are parameters
    if where:
        sql += " WHERE " + " AND ".join(where)
    return f"{sql} {then}" if then else sql
