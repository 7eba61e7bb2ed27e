"""Enrollments: who takes which course."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.courses import CourseScope, user_rows
from learnhub.datasources.postgres.outbox import add_event
from learnhub.datasources.postgres.pagination import Listing
from learnhub.datasources.postgres.raw import Args, Row, names
from learnhub.datasources.postgres.tables import enrollments, utcnow

_COLUMNS = (
    enrollments.c.id,
    enrollments.c.user_id,
    enrollments.c.course_id,
    enrollments.c.status,
    enrollments.c.completed_at,
    enrollments.c.created_at,
)
_NAMES = names(*_COLUMNS)
_FOR_PAIRS = raw.select(
    _NAMES, "enrollments", "enrollments.user_id = ANY($1::uuid[])", "enrollments.course_id = ANY($2::uuid[])"
)
_BY_IDS = raw.select(_NAMES, "enrollments", "enrollments.id = ANY($1::uuid[])")
_NOT_CANCELLED = "enrollments.status <> 'cancelled'"
_ENROLLED_CONTENT_IDS = raw.select(
    "courses.content_id",
    "courses JOIN enrollments ON enrollments.course_id = courses.id",
    "enrollments.user_id = $1",
    _NOT_CANCELLED,
)


def enrollments_of_user(user_id: uuid.UUID, scope: CourseScope) -> Listing:
    return user_rows("enrollments", _NAMES, user_id, scope)


async def enrollments_for_pairs(
    engine: AsyncEngine, user_ids: Sequence[uuid.UUID], course_ids: Sequence[uuid.UUID]
) -> list[Row]:
    """Enrollments of any of the users in any of the courses (the caller matches pairs)."""
    return await raw.fetch(engine, _FOR_PAIRS, user_ids, course_ids)


async def enrollments_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await raw.fetch(engine, _BY_IDS, ids)


def enrollments_of_course(course_id: uuid.UUID) -> Listing:
    """A course's students, newest enrollment first (the course's instructor)."""
    args = Args()
    return Listing.of(_NAMES, "enrollments", "enrollments.id", [f"enrollments.course_id = {args(course_id)}"], args)


async def enroll(engine: AsyncEngine, user_id: uuid.UUID, course_id: uuid.UUID) -> RowMapping:
    """Active enrollment of the user in the course: created, re-activated if cancelled, or the
    existing one as it is. One statement, so two concurrent calls leave one row."""
    now = utcnow()
    new = insert(enrollments).values(
        id=uuid7(), user_id=user_id, course_id=course_id, status="active", created_at=now, updated_at=now
    )
    stmt = new.on_conflict_do_update(
        constraint="uq_enrollments_user_course",
        set_={"status": "active", "updated_at": now},
        where=enrollments.c.status == "cancelled",
    ).returning(*_COLUMNS)
    async with engine.begin() as conn:
        row = (await conn.execute(stmt)).mappings().first()
        if row is None:  # already active or completed: the conflict updated nothing
            row = (
                (
                    await conn.execute(
                        select(*_COLUMNS).where(enrollments.c.user_id == user_id, enrollments.c.course_id == course_id)
                    )
                )
                .mappings()
                .one()
            )
        return row


async def cancel(engine: AsyncEngine, user_id: uuid.UUID, course_id: uuid.UUID) -> RowMapping | None:
    """Cancel the user's enrollment (progress is kept for a later re-enrollment); None if none."""
    async with engine.begin() as conn:
        return (
            (
                await conn.execute(
                    update(enrollments)
                    .where(enrollments.c.user_id == user_id, enrollments.c.course_id == course_id)
                    .values(status="cancelled", updated_at=utcnow())
                    .returning(*_COLUMNS)
                )
            )
            .mappings()
            .first()
        )


async def mark_completed(engine: AsyncEngine, user_id: uuid.UUID, course_id: uuid.UUID) -> bool:
    """Active -> completed, once; True only for the call that completed it."""
    now = utcnow()
    async with engine.begin() as conn:
        result = await conn.execute(
            update(enrollments)
            .where(
                enrollments.c.user_id == user_id,
                enrollments.c.course_id == course_id,
                enrollments.c.status == "active",
            )
            .values(status="completed", completed_at=now, updated_at=now)
        )
        if result.rowcount == 0:
            return False
        await add_event(conn, "course.completed", user_id, {"course_id": str(course_id)})
        return True


def learning(user_id: uuid.UUID, scope: CourseScope) -> Listing:
    """The user's active and completed enrollments (`myCourses`)."""
    return user_rows("enrollments", _NAMES, user_id, scope, _NOT_CANCELLED)


async def enrolled_course_content_ids(engine: AsyncEngine, user_id: uuid.UUID) -> list[str]:
    """Content ids of the courses the user is enrolled in (active or completed)."""
    return [row["content_id"] for row in await raw.fetch(engine, _ENROLLED_CONTENT_IDS, user_id)]
