"""Lesson progress rows, keyed by (user, lesson content id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres.sql import fetch_all, in_texts, in_uuids
from learnhub.datasources.postgres.tables import lesson_progress

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


async def progress_for(
    engine: AsyncEngine, user_ids: Sequence[uuid.UUID], lesson_ids: Sequence[str]
) -> Sequence[RowMapping]:
    """Rows for any of the users and any of the lessons: a superset the caller matches pairwise.

    One statement whatever the batch; the unique (user_id, lesson_content_id) index serves it.
    """
    stmt = select(*_COLUMNS).where(
        in_uuids(lesson_progress.c.user_id, "users", user_ids),
        in_texts(lesson_progress.c.lesson_content_id, "lessons", lesson_ids),
    )
    return await fetch_all(engine, stmt)


async def progress_in_courses(
    engine: AsyncEngine, user_ids: Sequence[uuid.UUID], course_ids: Sequence[uuid.UUID]
) -> Sequence[RowMapping]:
    """Every progress row of any of the users in any of the courses (callers match pairs)."""
    stmt = select(*_COLUMNS).where(
        in_uuids(lesson_progress.c.user_id, "users", user_ids),
        in_uuids(lesson_progress.c.course_id, "courses", course_ids),
    )
    return await fetch_all(engine, stmt.order_by(lesson_progress.c.id))
