"""Monthly partitions of `analytics_events`: created ahead by the worker, detached when old.

Migration 0008 makes the current and next month and a default partition; the worker keeps
MONTHS_AHEAD months ready, so the default partition only fills if the worker stops for that long
(its rows move into their month when the month is created). An event never fails for want of a
partition. Detached partitions stay as plain tables in `analytics_partitions` to archive or drop
(`learnhub analytics detach --before 2026-01`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres import analytics as rows

MONTHS_AHEAD = 3
_MONTHLY = re.compile(r"^analytics_events_(\d{4})_(\d{2})$")


def month_start(day: date, ahead: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + ahead
    return date(index // 12, index % 12 + 1, 1)


async def ensure_partitions(engine: AsyncEngine, today: date | None = None, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create this month's and the next `ahead` months' partitions where missing; their names."""
    today = today or datetime.now(UTC).date()
    made = []
    for step in range(ahead + 1):
        start = month_start(today, step)
        if await rows.create_month(engine, start, month_start(start, 1)):
            made.append(f"analytics_events_{start:%Y_%m}")
    return made


def monthly(names: list[str]) -> dict[str, date]:
    """The monthly partitions among `names`, with the month each starts."""
    found = {}
    for name in names:
        if match := _MONTHLY.match(name):
            found[name] = date(int(match[1]), int(match[2]), 1)
    return found


async def detach_before(engine: AsyncEngine, before: date) -> list[str]:
    """Detach every monthly partition whose month starts before `before`; their names. Events of
    those months no longer count in a rollup rebuilt later (the rollups built so far stay)."""
    old = older_than(await rows.partitions(engine), before)
    for name in old:
        await rows.detach(engine, name)
    return old


def older_than(names: list[str], before: date) -> list[str]:
    """The monthly partitions among `names` whose month starts before `before`'s month, oldest first
    (the default partition is never among them)."""
    return sorted(name for name, start in monthly(names).items() if start < month_start(before))
