"""Monthly partitions against the real PostgreSQL: the migration's months exist, an event with no
month of its own lands in the default partition, creating its month moves it there, and a
detached month leaves the table. Uses months far ahead, which no other test writes to."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import text

from learnhub.analytics import buffer, partitions
from learnhub.analytics.catalog import Event
from learnhub.datasources.postgres import analytics as rows
from tests.support.data import StoreAccess


async def _where(stores: StoreAccess, event_id: uuid.UUID) -> str:
    async with stores.engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT tableoid::regclass::text FROM analytics_events WHERE id = :i"), {"i": event_id}
        )
    return str(found)


async def test_this_month_and_the_next_ones_are_ready(stores: StoreAccess) -> None:
    await partitions.ensure_partitions(stores.engine)
    names = await rows.partitions(stores.engine)
    today = datetime.now(UTC).date()
    for ahead in range(partitions.MONTHS_AHEAD + 1):
        assert f"analytics_events_{partitions.month_start(today, ahead):%Y_%m}" in names
    assert "analytics_events_default" in names
    assert await partitions.ensure_partitions(stores.engine) == []  # nothing twice


async def test_an_event_without_its_month_waits_in_the_default_partition_then_moves(stores: StoreAccess) -> None:
    month = date(random.randrange(2100, 2900), random.randrange(1, 13), 1)
    when = datetime(month.year, month.month, 15, 12, tzinfo=UTC)
    event = Event("lesson_viewed", "client", uuid.uuid4(), "course:far", None, when, when)
    await buffer.write(stores.engine, [event])
    assert await _where(stores, event.id) == "analytics_partitions.analytics_events_default"

    made = await partitions.ensure_partitions(stores.engine, today=month, ahead=0)
    name = f"analytics_events_{month:%Y_%m}"
    assert made == [name]
    assert await _where(stores, event.id) == f"analytics_partitions.{name}"

    await rows.detach(stores.engine, name)
    assert name not in await rows.partitions(stores.engine)
    assert await _where(stores, event.id) == "None"  # no longer part of analytics_events
    async with stores.engine.begin() as conn:
        kept = await conn.scalar(text(f"SELECT count(*) FROM analytics_partitions.{name}"))
        await conn.execute(text(f"DROP TABLE analytics_partitions.{name}"))
    assert kept == 1
