"""The transactional outbox: events written with the change they report, claimed by the worker."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.tables import outbox_events, utcnow

# Search indexing: a course (its content, lessons, quizzes or questions) changed; the worker
# re-reads that course and updates Typesense and the lesson chunks (learnhub/search/indexer.py).
COURSE_CHANGED = "search.course"


async def course_changed(conn: AsyncConnection, course_content_id: str, *, delay_seconds: float = 0) -> None:
    await add_event(conn, COURSE_CHANGED, None, {"course_id": course_content_id}, delay_seconds=delay_seconds)


async def add_event(
    conn: AsyncConnection,
    kind: str,
    user_id: uuid.UUID | None,
    payload: dict[str, Any],
    *,
    delay_seconds: float = 0,
) -> None:
    """Record an event inside the caller's transaction: it commits (or not) with the change.
    `delay_seconds`: not handed to the worker before then."""
    now = utcnow()
    await conn.execute(
        insert(outbox_events).values(
            id=uuid7(),
            kind=kind,
            user_id=user_id,
            payload=payload,
            created_at=now,
            available_at=now + timedelta(seconds=delay_seconds),
        )
    )


async def claim(conn: AsyncConnection, limit: int) -> Sequence[RowMapping]:
    """Due events, oldest first, locked for this transaction; other workers skip them."""
    stmt = (
        select(outbox_events)
        .where(
            outbox_events.c.processed_at.is_(None),
            outbox_events.c.failed_at.is_(None),
            outbox_events.c.available_at <= utcnow(),
        )
        .order_by(outbox_events.c.available_at, outbox_events.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await conn.execute(stmt)).mappings().all()


async def mark_processed(conn: AsyncConnection, event_id: uuid.UUID) -> None:
    await conn.execute(
        update(outbox_events)
        .where(outbox_events.c.id == event_id)
        .values(processed_at=utcnow(), attempts=outbox_events.c.attempts + 1)
    )


async def mark_failed_attempt(
    conn: AsyncConnection, event_id: uuid.UUID, error: str, retry_at: datetime | None
) -> None:
    """Count a failed try: retry at `retry_at`, or give up (None) and keep it for an operator."""
    await conn.execute(
        update(outbox_events)
        .where(outbox_events.c.id == event_id)
        .values(
            attempts=outbox_events.c.attempts + 1,
            last_error=error[:2000],
            available_at=retry_at if retry_at is not None else outbox_events.c.available_at,
            failed_at=utcnow() if retry_at is None else None,
        )
    )
