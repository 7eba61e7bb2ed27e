"""Course rows: catalogue facts (level, tags, price, publication) that point at MongoDB content."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import outbox, raw
from learnhub.datasources.postgres.pagination import Listing
from learnhub.datasources.postgres.raw import Args, Row, names
from learnhub.datasources.postgres.sql import fetch_all, in_texts
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
    courses.c.currency,
    courses.c.created_at,
)

_NAMES = names(*_COLUMNS)
_BY_IDS = raw.select(_NAMES, "courses", "courses.id = ANY($1::uuid[])")
_BY_CONTENT_IDS = raw.select(_NAMES, "courses", "courses.content_id = ANY($1::text[])")


@dataclass(frozen=True)
class CourseFilter:
    tag: str | None = None
    level: str | None = None
    published: bool | None = None


def catalogue(where: CourseFilter) -> Listing:
    """The catalogue, oldest course first."""
    args, conditions = Args(), []
    if where.tag is not None:
        conditions.append(f"courses.tags @> {args([where.tag])}::varchar[]")
    if where.level is not None:
        conditions.append(f"courses.level = {args(where.level)}")
    if where.published is not None:
        conditions.append(f"courses.published = {'true' if where.published else 'false'}")
    return Listing.of(_NAMES, "courses", "courses.id", conditions, args, newest_first=False)


@dataclass(frozen=True)
class CourseScope:
    """Which courses a reader may see, for lists filtered in SQL (the rule is auth/visibility.py):
    every course, or the published ones plus those `owner_id` teaches."""

    everything: bool = False
    owner_id: uuid.UUID | None = None

    def condition(self, course: str, bind: Callable[[uuid.UUID], str]) -> str | None:
        """The rule, as SQL on the courses row named `course` (the table or an alias); `bind`
        turns the owner's id into a parameter placeholder. None: no condition. The one SQL form
        of the rule: the lists here and the vector search (chunks.py) both use it."""
        if self.everything:
            return None
        if self.owner_id is None:
            return f"{course}.published"
        return f"({course}.published OR {course}.instructor_id = {bind(self.owner_id)})"

    def visible(self, course_id: str, bind: Callable[[uuid.UUID], str]) -> str | None:
        """A condition on a course id column: the reader may see that course. None: no condition."""
        seen = self.condition("courses", bind)
        return None if seen is None else f"{course_id} IN ({raw.select('courses.id', 'courses', seen)})"


def user_rows(table: str, columns: str, user_id: uuid.UUID, scope: CourseScope, *where: str) -> Listing:
    """A user's rows of `table` (enrollments, attempts) in courses the reader may see, newest first."""
    args = Args()
    conditions = [f"{table}.user_id = {args(user_id)}", *where]
    if (visible := scope.visible(f"{table}.course_id", args)) is not None:
        conditions.append(visible)
    return Listing.of(columns, table, f"{table}.id", conditions, args)


async def courses_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await raw.fetch(engine, _BY_IDS, ids)


async def courses_by_content_ids(engine: AsyncEngine, content_ids: Sequence[str]) -> list[Row]:
    return await raw.fetch(engine, _BY_CONTENT_IDS, content_ids)


async def content_ids_visible_to(engine: AsyncEngine, instructor_id: uuid.UUID | None) -> tuple[list[str], list[str]]:
    """(content ids of published courses, content ids of `instructor_id`'s own courses), in one
    statement: what the question bank's database-side visibility filter needs."""
    args = Args()
    seen = CourseScope(owner_id=instructor_id).condition("courses", args)  # the owner, if any, is $1
    assert seen is not None  # only a scope of everything has no condition
    own = "false" if instructor_id is None else "courses.instructor_id = $1"
    sql = raw.select(f"courses.content_id, courses.published, {own} AS own", "courses", seen)
    rows = await raw.fetch(engine, sql, *args.values)
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
