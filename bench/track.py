"""The `track` shape: `trackEvents` with 100 events per call, and the PostgreSQL rows per second
behind it. The gateway answers once events are buffered; the rows are counted in
`analytics_events` before the runs and again once the buffer has flushed after them, so the
rows per second are what PostgreSQL took, and `rows >= requests x 100` shows none was lost."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from learnhub.core.settings import Settings

EVENTS_PER_REQUEST = 100
# The gateway's buffer flushes every second (ANALYTICS_FLUSH_SECONDS); rows still short of what
# was accepted after SETTLE_S means something is stuck.
FLUSH_S = 1.0
SETTLE_S = 15.0


def body(course_content_id: str) -> dict[str, Any]:
    """One call's worth of events: half about a course (its id is looked up), half about nothing."""
    now = datetime.now(UTC).isoformat()
    events = []
    for n in range(EVENTS_PER_REQUEST):
        event: dict[str, Any] = {
            "name": "course_viewed" if n % 2 else "search_performed",
            "occurredAt": now,
            "context": {"screen": "catalogue", "position": n, "query": "postgres pooling", "app": "web 4.2.0"},
        }
        if n % 2:
            event["entityId"] = course_content_id
        events.append(event)
    return {"query": _QUERY, "variables": {"events": events}}


_QUERY = "mutation Track($events: [TrackEventInput!]!) { trackEvents(events: $events) { accepted clamped } }"


async def _count(settings: Settings) -> int:
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM analytics_events")) or 0)
    finally:
        await engine.dispose()


def count_rows(settings: Settings) -> int:
    return asyncio.run(_count(settings))


def settled_rows(settings: Settings, at_least: int) -> int:
    """The row count once it reaches `at_least` and then holds for a flush period and a bit (the
    gateway's buffer writes every second), or whatever it is after SETTLE_S."""
    end = time.monotonic() + SETTLE_S
    last, steady_since = count_rows(settings), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.2)
        now = count_rows(settings)
        if now != last:
            last, steady_since = now, time.monotonic()
        elif now >= at_least and time.monotonic() - steady_since > FLUSH_S + 0.3:
            break
    return last
