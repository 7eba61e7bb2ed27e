"""The event buffer against the real PostgreSQL: concurrent writers, back-pressure, a clean
shutdown that writes everything once, and a refusal (nothing kept) when PostgreSQL is away."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from learnhub.analytics import buffer
from learnhub.analytics.buffer import EventBuffer
from learnhub.analytics.catalog import Event
from learnhub.core.errors import AnalyticsBusy
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.engine import make_engine
from learnhub.embedded.base import free_port
from tests.support.data import StoreAccess, unique


def _event(course: str, **context: object) -> Event:
    now = datetime.now(UTC)
    return Event(
        name="lesson_viewed",
        source="client",
        user_id=uuid.uuid4(),
        course_id=course,
        entity_id=None,
        occurred_at=now,
        received_at=now,
        context=dict(context),
    )


async def _counts(stores: StoreAccess, course: str) -> tuple[int, int, int]:
    """(rows, distinct ids, distinct (writer, call, item) triples) of the course's events."""
    async with stores.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT id), "
                    "count(DISTINCT (context->>'w', context->>'i', context->>'k')) "
                    "FROM analytics_events WHERE course_id = :c"
                ),
                {"c": course},
            )
        ).one()
    return int(row[0]), int(row[1]), int(row[2])


async def test_concurrent_writers_lose_and_double_nothing_across_a_clean_shutdown(
    settings: Settings, stores: StoreAccess
) -> None:
    course = unique("course:buffer")
    # A small buffer and flush size, so writers meet back-pressure and many flushes interleave.
    small = settings.model_copy(
        update={"analytics_flush_events": 37, "analytics_buffer_events": 300, "analytics_flush_seconds": 0.05}
    )
    writers, calls, per_call = 16, 25, 7

    async with buffer.running(stores.engine, small) as running:
        assert buffer.buffer_of(stores.engine) is running

        async def writer(w: int) -> None:
            for i in range(calls):
                await running.add([_event(course, w=w, i=i, k=k) for k in range(per_call)])
                assert len(running) <= small.analytics_buffer_events

        await asyncio.gather(*(writer(w) for w in range(writers)))
        flushed_while_running = running.flushes
    # Leaving the block stopped the timer and wrote the rest.
    assert buffer.buffer_of(stores.engine) is None
    assert len(running) == 0
    total = writers * calls * per_call
    assert flushed_while_running >= total // small.analytics_buffer_events
    assert running.written == total
    assert await _counts(stores, course) == (total, total, total)


async def test_a_running_buffer_is_shared_not_doubled(settings: Settings, stores: StoreAccess) -> None:
    async with buffer.running(stores.engine, settings) as outer, buffer.running(stores.engine, settings) as inner:
        assert inner is outer
    assert buffer.buffer_of(stores.engine) is None


async def test_a_full_buffer_that_cannot_flush_refuses_the_whole_call(settings: Settings) -> None:
    away = settings.model_copy(
        update={
            "database_url": settings.database_url.rsplit("@", 1)[0] + f"@127.0.0.1:{free_port()}/learnhub",
            "analytics_buffer_events": 150,
            "analytics_flush_events": 10_000,
        }
    )
    engine = make_engine(away)
    try:
        held = EventBuffer(engine, away)
        await held.add([_event("course:x") for _ in range(100)])
        with pytest.raises(AnalyticsBusy) as refused:
            await held.add([_event("course:x") for _ in range(60)])
        assert refused.value.code == "ANALYTICS_BUSY"
        # Nothing of the refused call was taken, and the failed flush put the first call's back.
        assert len(held) == 100
        assert held.written == 0
        await held.add([_event("course:x") for _ in range(50)])  # still room for 50
        assert len(held) == 150
    finally:
        await engine.dispose()
