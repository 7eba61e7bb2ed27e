"""Share links: public links to a preview of a course, lesson or quiz, stored by token hash."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.engine import reads
from learnhub.datasources.postgres.raw import Row, names
from learnhub.datasources.postgres.sql import fetch_one
from learnhub.datasources.postgres.tables import courses, share_links, utcnow

# What a link's owner sees of it; never the token hash.
COLUMNS = (
    share_links.c.id,
    share_links.c.entity,
    share_links.c.entity_id,
    share_links.c.course_id,
    share_links.c.created_by,
    share_links.c.created_at,
    share_links.c.expires_at,
    share_links.c.revoked_at,
    share_links.c.max_uses,
    share_links.c.use_count,
    share_links.c.last_used_at,
)
_OF_COURSES = raw.select(
    names(*COLUMNS),
    "share_links",
    "share_links.course_id = ANY($1::text[])",
    then="ORDER BY share_links.created_at DESC, share_links.id DESC",
)


async def insert_link(
    engine: AsyncEngine,
    *,
    token_hash: str,
    entity: str,
    entity_id: str,
    course_id: str,
    created_by: uuid.UUID,
    expires_at: datetime | None,
    max_uses: int | None,
) -> RowMapping:
    stmt = (
        insert(share_links)
        .values(
            id=uuid7(),
            token_hash=token_hash,
            entity=entity,
            entity_id=entity_id,
            course_id=course_id,
            created_by=created_by,
            created_at=utcnow(),
            expires_at=expires_at,
            max_uses=max_uses,
        )
        .returning(*COLUMNS)
    )
    async with engine.begin() as conn:
        return (await conn.execute(stmt)).mappings().one()


async def use_link(engine: AsyncEngine, token_hash: str) -> RowMapping | None:
    """Count one use of a valid link and return it with its course's level and tags; None when
    no such link, or it is revoked, expired, used up, or its course row is gone.

    One statement, so two concurrent uses cannot both take the last one: PostgreSQL locks the
    row for the first UPDATE and re-checks the second's WHERE on the row the first committed.
    """
    now = func.now()
    stmt = (
        update(share_links)
        .where(
            share_links.c.token_hash == token_hash,
            share_links.c.revoked_at.is_(None),
            or_(share_links.c.expires_at.is_(None), share_links.c.expires_at > now),
            or_(share_links.c.max_uses.is_(None), share_links.c.use_count < share_links.c.max_uses),
            courses.c.content_id == share_links.c.course_id,
        )
        .values(use_count=share_links.c.use_count + 1, last_used_at=now)
        .returning(
            share_links.c.id,
            share_links.c.entity,
            share_links.c.entity_id,
            share_links.c.course_id,
            courses.c.level,
            courses.c.tags,
        )
    )
    # A single statement is its own transaction: autocommit spares the BEGIN and COMMIT round trips.
    async with reads(engine).connect() as conn:
        return (await conn.execute(stmt)).mappings().first()


async def link_by_id(engine: AsyncEngine, link_id: uuid.UUID) -> RowMapping | None:
    return await fetch_one(engine, select(*COLUMNS).where(share_links.c.id == link_id))


async def revoke_link(engine: AsyncEngine, link_id: uuid.UUID) -> RowMapping | None:
    """Revoke a link; a revoked one keeps the time it was first revoked."""
    stmt = (
        update(share_links)
        .where(share_links.c.id == link_id)
        .values(revoked_at=func.coalesce(share_links.c.revoked_at, func.now()))
        .returning(*COLUMNS)
    )
    async with engine.begin() as conn:
        return (await conn.execute(stmt)).mappings().first()


async def links_of_courses(engine: AsyncEngine, course_ids: Sequence[str]) -> list[Row]:
    """Every link of these courses (by content id), newest first (index course_id, created_at)."""
    return await raw.fetch(engine, _OF_COURSES, course_ids)
