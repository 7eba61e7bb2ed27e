"""Lesson progress rows, keyed by (user, lesson content id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.outbox import add_event
from learnhub.datasources.postgres.raw import Row, names
from learnhub.datasources.postgres.sql import fetch_all
from learnhub.datasources.postgres.tables import lesson_progress, utcnow

_COLUMNS = (
    lesson_progress.c.id,
    lesson_progress.c.user_id,
    lesson_progress.c.course_id,
    lesson_progress.c.lesson_content_id,
    lesson_progress.c.position,
    lesson_progress.c.started_at,
    lesson_progress.c.completed_at,
    lesson_progress.c.updated_at,
)
_NAMES = names(*_COLUMNS)
_FOR = raw.select(
    _NAMES,
    "lesson_progress",
    "lesson_progress.user_id = ANY($1::uuid[])",
    "lesson_progress.lesson_content_id = ANY($2::text[])",
)
_IN_COURSES = raw.select(
    _NAMES,
    "lesson_progress",
    "lesson_progress.user_id = ANY($1::uuid[])",
    "lesson_progress.course_id = ANY($2::uuid[])",
    then="ORDER BY lesson_progress.id",
)


async def progress_for(engine: AsyncEngine, user_ids: Sequence[uuid.UUID], lesson_ids: Sequence[str]) -> list[Row]:
    """Rows for any of the users and any of the lessons: a superset the caller matches pairwise.

    One statement whatever the batch; the unique (user_id, lesson_content_id) index serves it.
    """
    return await raw.fetch(engine, _FOR, user_ids, lesson_ids)


async def progress_in_courses(
    engine: AsyncEngine, user_ids: Sequence[uuid.UUID], course_ids: Sequence[uuid.UUID]
) -> list[Row]:
    """Every progress row of any of the users in any of the courses (callers match pairs)."""
    return await raw.fetch(engine, _IN_COURSES, user_ids, course_ids)


async def record(
    engine: AsyncEngine,
    *,
    user_id: uuid.UUID,
    course_id: uuid.UUID,
    lesson_id: str,
    position: float,
    completed: bool,
) -> RowMapping:
    """Start or advance a lesson, in one statement: the position only grows and a completed
    lesson stays completed, so updates from two devices in any order never move it back."""
    now = utcnow()
    new = insert(lesson_progress).values(
        id=uuid7(),
        user_id=user_id,
        course_id=course_id,
        lesson_content_id=lesson_id,
        position=position,
        started_at=now,
        completed_at=now if completed else None,
        created_at=now,
        updated_at=now,
    )
    stmt = new.on_conflict_do_update(
        constraint="uq_lesson_progress_user_lesson",
        set_={
            "position": func.greatest(lesson_progress.c.position, new.excluded.position),
            "completed_at": func.coalesce(lesson_progress.c.completed_at, new.excluded.completed_at),
            "updated_at": now,
        },
    ).returning(*_COLUMNS)
    async with engine.begin() as conn:
        row = (await conn.execute(stmt)).mappings().one()
        # Same transaction: the event exists exactly when the progress does.
        await add_event(conn, "lesson.progressed", user_id, {"lesson_id": lesson_id, "course_id": str(course_id)})
        return row


async def completed_lessons(engine: AsyncEngine, user_id: uuid.UUID, course_id: uuid.UUID) -> set[str]:
    stmt = select(lesson_progress.c.lesson_content_id).where(
        lesson_progress.c.user_id == user_id,
        lesson_progress.c.course_id == course_id,
        lesson_progress.c.completed_at.is_not(None),
    )
    return {row["lesson_content_id"] for row in await fetch_all(engine, stmt)}
