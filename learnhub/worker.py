"""The outbox worker: drains domain events into achievements, activity days and stats.

Each event is handled in a savepoint of one transaction per batch, so a failing event is
retried later (with backoff, up to MAX_ATTEMPTS) without holding back the others. Handlers are
idempotent: awards and activity days are keyed, so a duplicate event changes nothing.
`learnhub worker` runs it as a process; `learnhub dev` runs it inside the gateway.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.datasources.postgres import achievements, outbox
from learnhub.datasources.postgres.tables import utcnow
from learnhub.learning.achievements import evaluate

logger = logging.getLogger("learnhub.worker")

BATCH_SIZE = 100
MAX_ATTEMPTS = 5
# Retry after 2, 4, 8, 16 seconds.
BACKOFF_SECONDS = 2.0
# Events that count as a day of learning for streaks.
ACTIVITY = frozenset({"lesson.progressed", "quiz.submitted"})
KNOWN = ACTIVITY | {"course.completed"}


class UnknownEvent(ValueError):
    pass


@dataclass(frozen=True)
class Drained:
    processed: int = 0
    retried: int = 0
    failed: int = 0
    awarded: int = 0

    def __add__(self, other: Drained) -> Drained:
        return Drained(
            self.processed + other.processed,
            self.retried + other.retried,
            self.failed + other.failed,
            self.awarded + other.awarded,
        )


async def handle(conn: AsyncConnection, event: RowMapping) -> int:
    """Apply one event; returns how many achievements it awarded."""
    if event["kind"] not in KNOWN:
        raise UnknownEvent(f"no handler for {event['kind']!r}")
    user_id: uuid.UUID | None = event["user_id"]
    if user_id is None:
        return 0
    if event["kind"] in ACTIVITY:
        await achievements.record_day(conn, user_id, event["created_at"].date())
    return len(await evaluate(conn, user_id))


async def drain(engine: AsyncEngine, *, batch: int = BATCH_SIZE, refresh: bool = True) -> Drained:
    """Handle every due event, batch by batch; refresh user_stats when anything changed."""
    totals = Drained()
    while True:
        async with engine.begin() as conn:
            events = await outbox.claim(conn, batch)
            counts = await _handle_batch(conn, events)
        totals += counts
        if len(events) < batch:
            break
    if refresh and totals.processed:
        await achievements.refresh_stats(engine)
    return totals


async def _handle_batch(conn: AsyncConnection, events: Sequence[RowMapping]) -> Drained:
    processed = retried = failed = awarded = 0
    for event in events:
        try:
            async with conn.begin_nested():
                awarded += await handle(conn, event)
            await outbox.mark_processed(conn, event["id"])
            processed += 1
        except Exception as exc:  # a bad event must not stop the others
            attempt = event["attempts"] + 1
            give_up = attempt >= MAX_ATTEMPTS or isinstance(exc, UnknownEvent)
            retry_at = None if give_up else utcnow() + timedelta(seconds=BACKOFF_SECONDS**attempt)
            await outbox.mark_failed_attempt(conn, event["id"], f"{type(exc).__name__}: {exc}", retry_at)
            logger.warning("outbox event %s (%s) failed, attempt %d: %s", event["id"], event["kind"], attempt, exc)
            failed += give_up
            retried += not give_up
    return Drained(processed, retried, failed, awarded)


async def run_forever(engine: AsyncEngine, interval: float = 1.0) -> None:
    """Drain, then wait `interval` seconds; until cancelled."""
    while True:
        try:
            result = await drain(engine)
            if result.processed or result.failed:
                logger.info("outbox: %s", result)
        except Exception:
            logger.exception("outbox drain failed; trying again")
        await asyncio.sleep(interval)
