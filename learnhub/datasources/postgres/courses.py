"""Course rows: catalogue facts (level, tags, price, publication) that point at MongoDB content."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select

from learnhub.datasources.postgres.pagination import Page, PageRequest, keyset, to_page
from learnhub.datasources.postgres.sql import fetch_all, fetch_value, in_texts, in_uuids
from learnhub.datasources.postgres.tables import courses

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


def _filtered(base: Select[Any], where: CourseFilter) -> Select[Any]:
    if where.tag is not None:
        base = base.where(courses.c.tags.contains([where.tag]))
    if where.level is not None:
        base = base.where(courses.c.level == where.level)
    if where.published is not None:
        base = base.where(courses.c.published == where.published)
    return base


async def courses_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    return await fetch_all(engine, select(*_COLUMNS).where(in_uuids(courses.c.id, "ids", ids)))


async def courses_by_content_ids(engine: AsyncEngine, content_ids: Sequence[str]) -> Sequence[RowMapping]:
    return await fetch_all(engine, select(*_COLUMNS).where(in_texts(courses.c.content_id, "cids", content_ids)))


async def list_courses(engine: AsyncEngine, where: CourseFilter, page: PageRequest) -> Page:
    stmt = keyset(_filtered(select(*_COLUMNS), where), courses.c.id, page, newest_first=False)
    return to_page(await fetch_all(engine, stmt), page)


async def count_courses(engine: AsyncEngine, where: CourseFilter) -> int:
    return int(await fetch_value(engine, _filtered(select(func.count()).select_from(courses), where)))
