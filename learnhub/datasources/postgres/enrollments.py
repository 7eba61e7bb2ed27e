"""Enrollments: who takes which course."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.courses import CourseScope, user_rows
from learnhub.datasources.postgres.outbox import add_event
from learnhub.datasources.postgres.pagination import Listing
from learnhub.datasources.postgres.sql import fetch_all, in_uuids
from learnhub.datasources.postgres.tables import courses, enrollments, utcnow

_COLUMNS = (
    enrollments.c.id,
    enrollments.c.user_id,
    enrollments.c.course_id,
    enrollments.c.status,
    enrollments.c.completed_at,
    enrollments.c.created_at,
)


def enrollments_of_user(user_id: uuid.UUID, scope: CourseScope) -> Listing:
    return user_rows(enrollments, _COLUMNS, user_id, scope)


async def enrollments_for_pairs(
    engine: AsyncEngine, user_ids: Sequence[uuid.UUID], course_ids: Sequence[uuid.UUID]
) -> Sequence[RowMapping]:
    """Enrollments of any of the users in any of the courses (the caller matches pairs)."""
    stmt = select(*_COLUMNS).where(
        in_uuids(enrollments.c.user_id, "users", user_ids), in_uuids(enrollments.c.course_id, "courses", course_ids)
    )
    return await fetch_all(engine, stmt)


async def enrollments_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    return await fetch_all(engine, select(*_COLUMNS).where(in_uuids(enrollments.c.id, "ids", ids)))


def enrollments_of_course(course_id: uuid.UUID) -> Listing:
    """A course's students, newest enrollment first (the course's instructor)."""
    return Listing(select(*_COLUMNS).where(enrollments.c.course_id == course_id), enrollments.c.id)


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
    return user_rows(enrollments, _COLUMNS, user_id, scope, enrollments.c.status != "cancelled")


async def enrolled_course_content_ids(engine: AsyncEngine, user_id: uuid.UUID) -> list[str]:
    """Content ids of the courses the user is enrolled in (active or completed)."""
    stmt = (
        select(courses.c.content_id)
        .join(enrollments, enrollments.c.course_id == courses.c.id)
        .where(enrollments.c.user_id == user_id, enrollments.c.status != "cancelled")
    )
    return [row["content_id"] for row in await fetch_all(engine, stmt)]
