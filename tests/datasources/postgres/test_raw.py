"""The hot-read layer on asyncpg (learnhub/datasources/postgres/raw.py), against the test database:
its accounting, its pool's life, its rows, and every statement the read modules send through it."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from types import ModuleType
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from learnhub.core import stats
from learnhub.core.settings import Settings
from learnhub.datasources.postgres import (
    achievements,
    attempts,
    courses,
    documents,
    enrollments,
    progress,
    raw,
    share_links,
    users,
)
from learnhub.datasources.postgres.courses import CourseFilter, CourseScope
from learnhub.datasources.postgres.engine import reads
from learnhub.datasources.postgres.pagination import Listing, PageRequest
from learnhub.datasources.stores import Stores

READ_MODULES = (achievements, attempts, courses, documents, enrollments, progress, share_links, users)


async def _counted(work: Callable[[], Awaitable[Any]]) -> Counter[str]:
    """The round trips `work` makes, counted as a request counts them (in a task of its own, so
    the count starts and ends with it)."""

    async def run() -> Counter[str]:
        counter = stats.begin()
        await work()
        return counter

    return await asyncio.create_task(run())


async def test_each_statement_is_one_round_trip_as_the_engine_counts_them(live_stores: Stores) -> None:
    engine = live_stores.engine

    async def through_sqlalchemy() -> None:
        async with reads(engine).connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def through_asyncpg() -> None:
        assert [dict(row) for row in await raw.fetch(engine, "SELECT 1 AS one")] == [{"one": 1}]
        assert await raw.fetch_row(engine, "SELECT 1 AS one WHERE false") is None
        assert await raw.fetch_val(engine, "SELECT $1::int + 1", 1) == 2

    assert await _counted(through_sqlalchemy) == {"postgres": 1}
    assert await _counted(through_asyncpg) == {"postgres": 3}


async def test_a_failing_statement_raises_postgres_error_counts_once_and_leaves_the_pool_usable(
    live_stores: Stores,
) -> None:
    engine = live_stores.engine

    async def failing() -> None:
        with pytest.raises(asyncpg.exceptions.UndefinedColumnError, match="no_such_column"):
            await raw.fetch(engine, "SELECT no_such_column FROM courses")

    assert await _counted(failing) == {"postgres": 1}
    assert await raw.fetch_val(engine, "SELECT 1") == 1


async def test_the_read_pool_is_read_only_and_named_as_the_engine(live_stores: Stores) -> None:
    engine = live_stores.engine
    with pytest.raises(asyncpg.exceptions.ReadOnlySQLTransactionError):
        await raw.fetch(engine, "UPDATE courses SET level = level WHERE false")
    assert await raw.fetch_val(engine, "SELECT current_setting('transaction_read_only')") == "on"
    assert await raw.fetch_val(engine, "SELECT current_setting('application_name')") == "learnhub-gateway"


async def test_rows_read_like_mappings_by_column_name(live_stores: Stores) -> None:
    row = await raw.fetch_row(live_stores.engine, "SELECT 1 AS a, 'x' AS b")
    assert row is not None
    assert isinstance(row, Mapping)
    assert list(row) == ["a", "b"]
    assert list(row.keys()) == ["a", "b"]
    assert list(row.items()) == [("a", 1), ("b", "x")]
    assert dict(row) == {"a": 1, "b": "x"} == {**row}
    assert (row["a"], row.get("b"), row.get("c"), "a" in row, "c" in row, len(row)) == (1, "x", None, True, False, 2)


async def test_the_pool_opens_with_the_stores_connects_on_first_read_and_closes_with_them(settings: Settings) -> None:
    stores = await Stores.open(settings)
    engine, pool = stores.engine, stores.read_pool
    try:
        assert pool.get_size() == 0  # Stores.open contacts no store
        assert pool.get_max_size() == 2 * settings.database_pool_size  # the engine's pool_size + max_overflow
        assert await raw.fetch_val(engine, "SELECT 1") == 1
        assert pool.get_size() == 1
    finally:
        await stores.close()
    assert pool.is_closing()
    with pytest.raises(raw.NoReadPool):
        await raw.fetch_val(engine, "SELECT 1")


def _statements() -> list[tuple[str, str]]:
    return [
        (f"{module.__name__.rsplit('.', 1)[1]}.{name}", value)
        for module in READ_MODULES
        for name, value in vars(module).items()
        if isinstance(value, str) and value.startswith("SELECT ")
    ]


@pytest.mark.parametrize(("name", "sql"), _statements(), ids=[name for name, _ in _statements()])
async def test_every_statement_names_tables_and_columns_the_database_has(
    live_stores: Stores, name: str, sql: str
) -> None:
    async with live_stores.read_pool.acquire() as conn:
        await conn.prepare(sql)  # PostgreSQL parses and plans it: unknown names fail here


@pytest.mark.parametrize(
    ("module", "columns"),
    [
        (attempts, attempts._COLUMNS),
        (courses, courses._COLUMNS),
        (enrollments, enrollments._COLUMNS),
        (users, users._PUBLIC),
    ],
    ids=["attempts", "courses", "enrollments", "users"],
)
async def test_reads_by_id_return_the_columns_the_sqlalchemy_reads_returned(
    live_stores: Stores, module: ModuleType, columns: tuple[Any, ...]
) -> None:
    async with live_stores.read_pool.acquire() as conn:
        prepared = await conn.prepare(module._BY_IDS)
        assert [attribute.name for attribute in prepared.get_attributes()] == [column.name for column in columns]


def _listings() -> dict[str, Listing]:
    someone = uuid.uuid4()
    scopes = {"all": CourseScope(everything=True), "published": CourseScope(), "owner": CourseScope(owner_id=someone)}
    found: dict[str, Listing] = {
        f"catalogue-{tag}-{level}-{published}": courses.catalogue(CourseFilter(tag, level, published))
        for tag in (None, "python")
        for level in (None, "beginner")
        for published in (None, True, False)
    }
    for name, scope in scopes.items():
        found[f"enrollments-of-user-{name}"] = enrollments.enrollments_of_user(someone, scope)
        found[f"learning-{name}"] = enrollments.learning(someone, scope)
        found[f"attempts-of-user-{name}"] = attempts.attempts_of_user(someone, scope)
    found["enrollments-of-course"] = enrollments.enrollments_of_course(someone)
    found["attempts-of-course"] = attempts.attempts_of_course(someone)
    found["users"] = users.user_list(None)
    found["users-of-role"] = users.user_list("admin")
    return found


@pytest.mark.parametrize("name", sorted(_listings()))
async def test_every_list_pages_and_counts(live_stores: Stores, name: str) -> None:
    listing, engine = _listings()[name], live_stores.engine
    first = await listing.page(engine, PageRequest(first=2))
    assert len(first.rows) <= 2
    assert first.keys == [row["id"] for row in first.rows]
    assert await listing.count(engine) >= len(first.rows)
    await listing.page(engine, PageRequest(first=2, after=uuid.uuid4()))


async def test_every_read_by_keys_runs_with_no_keys(live_stores: Stores) -> None:
    engine, none = live_stores.engine, uuid.uuid4()
    reads_by_keys: list[Awaitable[Any]] = [
        courses.courses_by_ids(engine, []),
        courses.courses_by_content_ids(engine, []),
        enrollments.enrollments_by_ids(engine, []),
        enrollments.enrollments_for_pairs(engine, [], []),
        progress.progress_for(engine, [], []),
        progress.progress_in_courses(engine, [], []),
        attempts.attempts_by_ids(engine, []),
        attempts.submitted_for(engine, [], []),
        users.users_by_ids(engine, []),
        achievements.stats_by_user_ids(engine, []),
        achievements.achievements_of_users(engine, []),
        documents.ready_of_entities(engine, "avatar", []),
        share_links.links_of_courses(engine, []),
        enrollments.enrolled_course_content_ids(engine, none),
    ]
    assert [list(rows) for rows in await asyncio.gather(*reads_by_keys)] == [[]] * len(reads_by_keys)
