"""Course rows: catalogue facts (level, tags, price, publication) that point at MongoDB content."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, false, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Select

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import outbox
from learnhub.datasources.postgres.pagination import Listing
from learnhub.datasources.postgres.sql import fetch_all, in_texts, in_uuids
from learnhub.datasources.postgres.tables import courses, utcnow

_COLUMNS = (
    courses.c.id,
    courses.c.content_id,
    courses.c.instructor_id,
    courses.c.level,
    courses.c.tags,
    courses.c.published,
    courses.c.published_at,
    courses.c.price_cents,
    courses.c.created_at,
)


@dataclass(frozen=True)
class CourseFilter:
    tag: str | None = None
    level: str | None = None
    published: bool | None = None


def catalogue(where: CourseFilter) -> Listing:
    """The catalogue, oldest course first."""
    stmt = select(*_COLUMNS)
    if where.tag is not None:
        stmt = stmt.where(courses.c.tags.contains([where.tag]))
    if where.level is not None:
        stmt = stmt.where(courses.c.level == where.level)
    if where.published is not None:
        stmt = stmt.where(courses.c.published == where.published)
    return Listing(stmt, courses.c.id, newest_first=False)


@dataclass(frozen=True)
class CourseScope:
    """Which courses a reader may see, for lists filtered in SQL (the rule is auth/visibility.py):
    every course, or the published ones plus those `owner_id` teaches."""

    everything: bool = False
    owner_id: uuid.UUID | None = None

    def visible(self, course_id: ColumnElement[Any]) -> ColumnElement[bool] | None:
        """A condition on a course id column; None: no condition."""
        if self.everything:
            return None
        seen: ColumnElement[bool] = courses.c.published
        if self.owner_id is not None:
            seen = seen | (courses.c.instructor_id == self.owner_id)
        return course_id.in_(select(courses.c.id).where(seen))


def scoped(stmt: Select[Any], scope: CourseScope, course_id: ColumnElement[Any]) -> Select[Any]:
    condition = scope.visible(course_id)
    return stmt if condition is None else stmt.where(condition)


def user_rows(
    table: Table, columns: Sequence[Column[Any]], user_id: uuid.UUID, scope: CourseScope, *where: ColumnElement[bool]
) -> Listing:
    """A user's rows of `table` (enrollments, attempts) in courses the reader may see, newest first."""
    stmt = select(*columns).where(table.c.user_id == user_id, *where)
    return Listing(scoped(stmt, scope, table.c.course_id), table.c.id)


async def courses_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    return await fetch_all(engine, select(*_COLUMNS).where(in_uuids(courses.c.id, "ids", ids)))


async def courses_by_content_ids(engine: AsyncEngine, content_ids: Sequence[str]) -> Sequence[RowMapping]:
    return await fetch_all(engine, select(*_COLUMNS).where(in_texts(courses.c.content_id, "cids", content_ids)))


async def content_ids_visible_to(engine: AsyncEngine, instructor_id: uuid.UUID | None) -> tuple[list[str], list[str]]:
    """(content ids of published courses, content ids of `instructor_id`'s own courses), in one
    statement: what the question bank's database-side visibility filter needs."""
    own = courses.c.instructor_id == instructor_id if instructor_id is not None else false()
    stmt = select(courses.c.content_id, courses.c.published, own.label("own")).where(courses.c.published | own)
    rows = await fetch_all(engine, stmt)
    return [r["content_id"] for r in rows if r["published"]], [r["content_id"] for r in rows if r["own"]]


class ContentIdTaken(Exception):
    pass


async def insert_course(
    conn: AsyncConnection, *, content_id: str, instructor_id: uuid.UUID, level: str, tags: list[str], price_cents: int
) -> RowMapping:
    """A new unpublished course row, in the caller's transaction; ContentIdTaken on a used slug."""
    now = utcnow()
    stmt = (
        insert(courses)
        .values(
            id=uuid7(),
            content_id=content_id,
            instructor_id=instructor_id,
            level=level,
            tags=tags,
            price_cents=price_cents,
            published=False,
            created_at=now,
            updated_at=now,
        )
        .returning(*_COLUMNS)
    )
    try:
        async with conn.begin_nested():
            return (await conn.execute(stmt)).mappings().one()
    except IntegrityError as exc:
        if "uq_courses_content_id" in str(exc.orig):
            raise ContentIdTaken(content_id) from exc
        raise


async def set_published(engine: AsyncEngine, course_id: uuid.UUID, published: bool) -> RowMapping | None:
    now = utcnow()
    async with engine.begin() as conn:
        stmt = (
            update(courses)
            .where(courses.c.id == course_id)
            .values(
                published=published,
                published_at=func.coalesce(courses.c.published_at, now) if published else courses.c.published_at,
                updated_at=now,
            )
            .returning(*_COLUMNS)
        )
        row = (await conn.execute(stmt)).mappings().first()
        if row is not None:  # the search indexes follow in the same transaction
            await outbox.course_changed(conn, row["content_id"])
        return row


async def rows_for_index(engine: AsyncEngine, content_ids: Sequence[str] | None) -> Sequence[RowMapping]:
    """Course rows by content id (every course when None): what search documents need."""
    stmt = select(*_COLUMNS)
    if content_ids is not None:
        stmt = stmt.where(in_texts(courses.c.content_id, "cids", content_ids))
    return await fetch_all(engine, stmt)
