"""Trusted documents: the operations the clients' builds registered (sha256 -> body)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres.sql import fetch_value
from learnhub.datasources.postgres.tables import trusted_documents, utcnow


@dataclass(frozen=True)
class TrustedDocument:
    sha256: str
    body: str
    operation_name: str | None


async def body_of(engine: AsyncEngine, sha256: str) -> str | None:
    value = await fetch_value(engine, select(trusted_documents.c.body).where(trusted_documents.c.sha256 == sha256))
    return str(value) if value is not None else None


async def register(engine: AsyncEngine, client_name: str, documents: Sequence[TrustedDocument]) -> int:
    """Insert the documents not yet known; returns how many were new. Bodies never change:
    the key is their hash, so re-registering a manifest is a no-op."""
    if not documents:
        return 0
    now = utcnow()
    stmt = (
        insert(trusted_documents)
        .values(
            [
                {
                    "sha256": d.sha256,
                    "body": d.body,
                    "client_name": client_name,
                    "operation_name": d.operation_name,
                    "created_at": now,
                }
                for d in documents
            ]
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(trusted_documents.c.sha256)
    )
    async with engine.begin() as conn:
        return len((await conn.execute(stmt)).all())
