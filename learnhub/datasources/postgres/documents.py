"""Uploaded documents' rows: the metadata of objects in S3/R2."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.raw import Row, names
from learnhub.datasources.postgres.sql import fetch_all, fetch_one, in_texts
from learnhub.datasources.postgres.tables import documents, utcnow

_LIVE = ("pending", "ready")
_READY_OF_ENTITIES = raw.select(
    names(*documents.c),
    "documents",
    "documents.purpose = $1",
    "documents.status = 'ready'",
    "documents.entity_id = ANY($2::text[])",
    then="ORDER BY documents.created_at, documents.id",
)


async def insert(conn: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    return (await conn.execute(documents.insert().values(**values).returning(*documents.c))).mappings().one()


async def by_id(engine: AsyncEngine, document_id: uuid.UUID) -> RowMapping | None:
    return await fetch_one(engine, select(*documents.c).where(documents.c.id == document_id))


async def used_bytes(conn: AsyncConnection, owner_id: uuid.UUID) -> int:
    """Bytes the user holds in pending and ready uploads: what the quota counts."""
    stmt = select(func.coalesce(func.sum(documents.c.size_bytes), 0)).where(
        documents.c.owner_id == owner_id, documents.c.status.in_(_LIVE)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def set_status(
    conn: AsyncConnection, document_id: uuid.UUID, status: str, *, only_from: Sequence[str]
) -> RowMapping | None:
    """Move a document to `status` if it is in one of `only_from`; the row after, or None."""
    now = utcnow()
    values: dict[str, Any] = {"status": status}
    if status == "ready":
        values["confirmed_at"] = now
    if status in ("deleted", "rejected"):
        values["deleted_at"] = now
    stmt = (
        update(documents)
        .where(documents.c.id == document_id, documents.c.status.in_(only_from))
        .values(**values)
        .returning(*documents.c)
    )
    return (await conn.execute(stmt)).mappings().first()


async def ready_of_entities(engine: AsyncEngine, purpose: str, entity_ids: Sequence[str]) -> list[Row]:
    """Ready documents of these entities (lessons, users), oldest first."""
    return await raw.fetch(engine, _READY_OF_ENTITIES, purpose, entity_ids)


async def ready_avatars_except(conn: AsyncConnection, owner_id: uuid.UUID, keep: uuid.UUID) -> Sequence[RowMapping]:
    stmt = select(*documents.c).where(
        documents.c.owner_id == owner_id,
        documents.c.purpose == "avatar",
        documents.c.status == "ready",
        documents.c.id != keep,
    )
    return (await conn.execute(stmt)).mappings().all()


async def stale_pending(engine: AsyncEngine, before: datetime, limit: int) -> Sequence[RowMapping]:
    """Uploads requested before `before` and never confirmed."""
    stmt = (
        select(*documents.c)
        .where(documents.c.status == "pending", documents.c.created_at < before)
        .order_by(documents.c.created_at)
        .limit(limit)
    )
    return await fetch_all(engine, stmt)


async def known_keys(engine: AsyncEngine, keys: Sequence[str]) -> set[str]:
    """Which of these object keys a row still points at (any status but deleted and rejected)."""
    if not keys:
        return set()
    stmt = select(documents.c.object_key).where(
        in_texts(documents.c.object_key, "k", keys), documents.c.status.in_(_LIVE)
    )
    return {row["object_key"] for row in await fetch_all(engine, stmt)}


async def set_multipart(conn: AsyncConnection, document_id: uuid.UUID, upload_id: str) -> RowMapping:
    stmt = (
        update(documents)
        .where(documents.c.id == document_id)
        .values(multipart_upload_id=upload_id)
        .returning(*documents.c)
    )
    return (await conn.execute(stmt)).mappings().one()
