"""Quiz attempt summaries (the details live in MongoDB under `details_ref`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, true
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres.pagination import Page, PageRequest, keyset, to_page
from learnhub.datasources.postgres.sql import fetch_all, fetch_value, in_texts, in_uuids
from learnhub.datasources.postgres.tables import quiz_attempts

_COLUMNS = (
    quiz_attempts.c.id,
    quiz_attempts.c.user_id,
    quiz_attempts.c.course_id,
    quiz_attempts.c.quiz_content_id,
    quiz_attempts.c.score,
    quiz_attempts.c.max_score,
    quiz_attempts.c.passed,
    quiz_attempts.c.started_at,
    quiz_attempts.c.finished_at,
    quiz_attempts.c.details_ref,
)


async def attempts_of_user(engine: AsyncEngine, user_id: uuid.UUID, page: PageRequest) -> Page:
    stmt = keyset(select(*_COLUMNS).where(quiz_attempts.c.user_id == user_id), quiz_attempts.c.id, page)
    return to_page(await fetch_all(engine, stmt), page)


async def count_attempts_of_user(engine: AsyncEngine, user_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(quiz_attempts).where(quiz_attempts.c.user_id == user_id)
    return int(await fetch_value(engine, stmt))


async def attempts_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    return await fetch_all(engine, select(*_COLUMNS).where(in_uuids(quiz_attempts.c.id, "ids", ids)))


async def attempts_of_course(engine: AsyncEngine, course_id: uuid.UUID, page: PageRequest) -> Page:
    """Every student's attempts in one course, newest first (the course's instructor)."""
    stmt = keyset(select(*_COLUMNS).where(quiz_attempts.c.course_id == course_id), quiz_attempts.c.id, page)
    return to_page(await fetch_all(engine, stmt), page)


async def count_attempts_of_course(engine: AsyncEngine, course_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(quiz_attempts).where(quiz_attempts.c.course_id == course_id)
    return int(await fetch_value(engine, stmt))


async def submitted_for(
    engine: AsyncEngine, user_ids: Sequence[uuid.UUID], quiz_ids: Sequence[str]
) -> Sequence[RowMapping]:
    """Per (user, quiz): whether any attempt was submitted, and whether any passed."""
    stmt = (
        select(
            quiz_attempts.c.user_id,
            quiz_attempts.c.quiz_content_id,
            func.bool_or(quiz_attempts.c.passed.is_(true())).label("passed"),
        )
        .where(
            in_uuids(quiz_attempts.c.user_id, "users", user_ids),
            in_texts(quiz_attempts.c.quiz_content_id, "quizzes", quiz_ids),
            quiz_attempts.c.finished_at.is_not(None),
        )
        .group_by(quiz_attempts.c.user_id, quiz_attempts.c.quiz_content_id)
    )
    return await fetch_all(engine, stmt)
