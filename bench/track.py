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
# The buffer flushes every second: rows still growing after this long means something is stuck.
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
    """The row count once it reaches `at_least` and stops growing for two flush periods (or SETTLE_S)."""
    end = time.monotonic() + SETTLE_S
    last = count_rows(settings)
    while time.monotonic() < end:
        time.sleep(2.2)  # two flush periods of the gateway's buffer
        now = count_rows(settings)
        if now == last and now >= at_least:
            return now
        last = now
    return last
