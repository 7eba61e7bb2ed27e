"""Enrollments: who takes which course."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres.pagination import Page, PageRequest, keyset, to_page
from learnhub.datasources.postgres.sql import fetch_all, fetch_value, in_uuids
from learnhub.datasources.postgres.tables import enrollments

_COLUMNS = (
    enrollments.c.id,
    enrollments.c.user_id,
    enrollments.c.course_id,
    enrollments.c.status,
    enrollments.c.completed_at,
    enrollments.c.created_at,
)


async def enrollments_of_user(engine: AsyncEngine, user_id: uuid.UUID, page: PageRequest) -> Page:
    """Newest first."""
    stmt = keyset(select(*_COLUMNS).where(enrollments.c.user_id == user_id), enrollments.c.id, page)
    return to_page(await fetch_all(engine, stmt), page)


async def count_enrollments_of_user(engine: AsyncEngine, user_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(enrollments).where(enrollments.c.user_id == user_id)
    return int(await fetch_value(engine, stmt))


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


async def enrollments_of_course(engine: AsyncEngine, course_id: uuid.UUID, page: PageRequest) -> Page:
    """A course's students, newest enrollment first (the course's instructor)."""
    stmt = keyset(select(*_COLUMNS).where(enrollments.c.course_id == course_id), enrollments.c.id, page)
    return to_page(await fetch_all(engine, stmt), page)


async def count_enrollments_of_course(engine: AsyncEngine, course_id: uuid.UUID) -> int:
    stmt = select(func.count()).select_from(enrollments).where(enrollments.c.course_id == course_id)
    return int(await fetch_value(engine, stmt))
