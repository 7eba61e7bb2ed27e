"""Daily rollups: every day's rows rebuilt whole from that day's events (UTC days).

Rebuilding (delete, then insert from the events) rather than adding to counters makes a run
idempotent: re-running a day, or running it twice at once, ends in the same rows. Late events
(offline apps, clamped up to a week back) are counted when their day is rebuilt: the worker
rebuilds today and yesterday on every pass; `rollup_days` backfills further.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres import analytics as rows

logger = logging.getLogger("learnhub.analytics")


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def rollup_day(engine: AsyncEngine, day: date) -> int:
    """Rebuild one day; returns how many rollup rows it has."""
    return await rows.rollup_day(engine, day, day_start(day))


async def rollup_days(engine: AsyncEngine, first: date, last: date) -> int:
    """Rebuild every day from `first` to `last`, one transaction per day."""
    total = 0
    day = first
    while day <= last:
        total += await rollup_day(engine, day)
        day += timedelta(days=1)
    return total


async def rollup_recent(engine: AsyncEngine, now: datetime | None = None) -> int:
    """Today and yesterday: the days still receiving events."""
    today = (now or datetime.now(UTC)).date()
    return await rollup_days(engine, today - timedelta(days=1), today)
