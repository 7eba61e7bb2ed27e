"""The outbox worker: drains domain events into achievements, activity days, stats and the
search indexes.

Each event is handled in a savepoint of one transaction per batch, so a failing event is
retried later (with backoff, up to MAX_ATTEMPTS) without holding back the others. Handlers are
idempotent: awards and activity days are keyed, so a duplicate event changes nothing, and the
search indexer re-reads whole courses from the stores. Search events of one batch are applied
together, one pass per course however many edits it had.
`learnhub worker` runs it as a process; `learnhub dev` runs it inside the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from learnhub.analytics import buffer as analytics_buffer
from learnhub.analytics import partitions as analytics_partitions
from learnhub.analytics import rollups as analytics_rollups
from learnhub.datasources.guard import outage_store
from learnhub.datasources.postgres import achievements, outbox
from learnhub.datasources.postgres.tables import outbox_events, utcnow
from learnhub.datasources.stores import Stores
from learnhub.files import uploads
from learnhub.learning.achievements import evaluate
from learnhub.live import events as live
from learnhub.observability import metrics
from learnhub.search import indexer

logger = logging.getLogger("learnhub.worker")

BATCH_SIZE = 100
MAX_ATTEMPTS = 5
# Retry after 2, 4, 8, 16 seconds.
BACKOFF_SECONDS = 2.0
# Events that count as a day of learning for streaks.
ACTIVITY = frozenset({"lesson.progressed", "quiz.submitted"})
KNOWN = ACTIVITY | {"course.completed", uploads.DELETE_OBJECT}
SEARCH = frozenset({indexer.COURSE_CHANGED})
# The outbox gauges cost one query; Prometheus scrapes every 15 s or so, no need to read them more often.
GAUGE_INTERVAL_SECONDS = 15.0


class UnknownEvent(ValueError):
    pass


@dataclass(frozen=True)
class Drained:
    processed: int = 0
    retried: int = 0
    failed: int = 0
    awarded: int = 0
    indexed: int = 0  # courses re-indexed for search

    def __add__(self, other: Drained) -> Drained:
        return Drained(
            self.processed + other.processed,
            self.retried + other.retried,
            self.failed + other.failed,
            self.awarded + other.awarded,
            self.indexed + other.indexed,
        )


async def handle(
    stores: Stores, conn: AsyncConnection, event: RowMapping, announce: list[live.Announcement] | None = None
) -> int:
    """Apply one event; returns how many achievements it awarded. What live subscribers should
    hear of it is appended to `announce`, published once the batch commits."""
    if event["kind"] not in KNOWN:
        raise UnknownEvent(f"no handler for {event['kind']!r}")
    if event["kind"] == uploads.DELETE_OBJECT:
        await uploads.delete_object(stores, event["payload"])
        return 0
    user_id: uuid.UUID | None = event["user_id"]
    if user_id is None:
        return 0
    if event["kind"] in ACTIVITY:
        await achievements.record_day(conn, user_id, event["created_at"].date())
    awarded = await evaluate(conn, user_id)
    if announce is not None and event["attempts"] == 0:  # a retry was announced the first time
        announce += live.of_outbox_event(event["kind"], user_id, event["payload"], awarded)
    elif announce is not None:
        announce += live.of_outbox_event("", user_id, {}, awarded)
    return len(awarded)


async def drain(stores: Stores, *, batch: int = BATCH_SIZE, refresh: bool = True) -> Drained:
    """Handle every due event, batch by batch; refresh user_stats when anything changed."""
    engine = stores.engine
    totals = Drained()
    while True:
        announce: list[live.Announcement] = []
        async with engine.begin() as conn:
            events = await outbox.claim(conn, batch)
            counts = await _handle_batch(stores, conn, [e for e in events if e["kind"] not in SEARCH], announce)
            counts += await _index_batch(stores, conn, [e for e in events if e["kind"] in SEARCH])
        # After the commit: a subscriber reading the record it is told about finds it.
        changed = {str(e["payload"].get("course_id", "")) for e in events if e["kind"] in SEARCH and not e["attempts"]}
        announce += live.of_course_changes(sorted(changed - {""}))
        await live.announce(stores, announce)
        totals += counts
        if len(events) < batch:
            break
    if refresh and totals.processed - totals.indexed > 0:
        await achievements.refresh_stats(engine)
    return totals


async def _handle_batch(
    stores: Stores, conn: AsyncConnection, events: Sequence[RowMapping], announce: list[live.Announcement]
) -> Drained:
    processed = retried = failed = awarded = 0
    for event in events:
        try:
            async with conn.begin_nested():
                found: list[live.Announcement] = []
                awarded += await handle(stores, conn, event, found)
            announce += found
            await outbox.mark_processed(conn, event["id"])
            processed += 1
        except Exception as exc:  # a bad event must not stop the others
            give_up = await _failed(conn, event, exc)
            failed += give_up
            retried += not give_up
    return Drained(processed, retried, failed, awarded)


async def _failed(conn: AsyncConnection, event: RowMapping, exc: Exception) -> bool:
    """Record a failed try; returns whether the event was given up."""
    attempt = event["attempts"] + 1
    outage = outage_store(exc)
    # A store that is down says nothing about the event: it is kept, and tried again every few
    # seconds until the store is back, however long that takes (never given up for it).
    give_up = outage is None and (attempt >= MAX_ATTEMPTS or isinstance(exc, UnknownEvent))
    delay = BACKOFF_SECONDS ** min(attempt, 3) if outage is not None else BACKOFF_SECONDS**attempt
    retry_at = None if give_up else utcnow() + timedelta(seconds=delay)
    await outbox.mark_failed_attempt(conn, event["id"], f"{type(exc).__name__}: {exc}", retry_at)
    logger.warning("outbox event %s (%s) failed, attempt %d: %s", event["id"], event["kind"], attempt, exc)
    return give_up


async def _index_batch(stores: Stores, conn: AsyncConnection, events: Sequence[RowMapping]) -> Drained:
    """Re-index every course the batch's search events name, once each. The batch was claimed
    after each event committed, and the indexer reads the stores now, so one pass covers them all."""
    if not events:
        return Drained()
    course_ids = sorted({str(e["payload"].get("course_id", "")) for e in events} - {""})
    try:
        async with conn.begin_nested():
            await indexer.ensure_collections(stores)
            await indexer.index_courses(stores, conn, course_ids)
    except Exception as exc:  # Typesense down or a bad document: retried with backoff
        indexer.forget_collections(stores)
        gave_up = [await _failed(conn, event, exc) for event in events]
        return Drained(retried=gave_up.count(False), failed=gave_up.count(True))
    for event in events:
        await outbox.mark_processed(conn, event["id"])
    return Drained(processed=len(events), indexed=len(events))


async def prepare_search(stores: Stores) -> None:
    """Make the search collections on first start, and embed the catalogue with the configured
    model when it is new (EMBEDDING_* changed): semantic search then reads its vectors."""
    try:
        await indexer.ensure_collections(stores)
        async with stores.engine.begin() as conn:
            ready = await indexer.finish_model(stores, conn)
        if not ready:
            done = await indexer.embed_catalogue(stores)
            logger.info("embedded %d lessons (%d chunks) with %s", done.embedded, done.chunks, stores.embedder.name)
    except Exception:
        logger.exception("preparing search failed; search events will retry")


# Notified by a trigger on outbox_events (migration 0005) when an insert commits.
CHANNEL = "outbox_events"


async def _listen(stores: Stores, wakeup: asyncio.Event, stack: contextlib.AsyncExitStack) -> bool:
    """Hold one pooled connection that LISTENs on CHANNEL; False if it cannot (then polling alone)."""
    try:
        conn = await stack.enter_async_context(stores.engine.connect())
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None  # an open asyncpg connection
        await driver.add_listener(CHANNEL, lambda *_: wakeup.set())
    except Exception:
        logger.warning("cannot LISTEN for outbox events; polling only", exc_info=True)
        return False
    return True


async def run_forever(stores: Stores, interval: float = 1.0) -> None:
    """Drain whenever an event commits (LISTEN/NOTIFY), and at least every `interval` seconds
    (events due later, a lost notification); until cancelled.

    Measured with bench/search_lag.py: polling alone put a lesson edit into search after half
    the interval on average; woken by the notification, the drain starts within milliseconds."""
    await prepare_search(stores)
    wakeup = asyncio.Event()
    swept_at = -float("inf")
    rolled_at = -float("inf")
    async with contextlib.AsyncExitStack() as stack:
        await _listen(stores, wakeup, stack)
        # The gateway's buffer when running inside it; else the worker's own, flushed on exit.
        await stack.enter_async_context(analytics_buffer.running(stores.engine, stores.settings))
        while True:
            wakeup.clear()
            await _drain_logged(stores)
            if time.monotonic() - swept_at >= stores.settings.sweep_interval_seconds:
                swept_at = time.monotonic()
                await _sweep_logged(stores)
            if time.monotonic() - rolled_at >= stores.settings.analytics_rollup_seconds:
                rolled_at = time.monotonic()
                await _analytics_logged(stores)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), interval)


async def _sweep_logged(stores: Stores) -> None:
    """Uploads never confirmed within a day, and objects no row points at (learnhub/files)."""
    try:
        swept = await uploads.sweep(stores)
        if swept.stale_uploads or swept.orphan_objects:
            logger.info("swept %s", swept)
    except Exception:
        logger.exception("sweeping uploads failed; trying again later")


async def _drain_logged(stores: Stores) -> None:
    try:
        result = await drain(stores)
        if result.processed or result.failed:
            logger.info("outbox: %s", result)
    except Exception:
        logger.exception("outbox drain failed; trying again")


async def _analytics_logged(stores: Stores) -> None:
    """Months of analytics partitions ahead, and the rollups of the days still receiving events."""
    try:
        if made := await analytics_partitions.ensure_partitions(stores.engine):
            logger.info("analytics partitions created: %s", ", ".join(made))
        await analytics_rollups.rollup_recent(stores.engine)
    except Exception:
        logger.exception("analytics rollups failed; trying again later")


async def _measure_outbox(stores: Stores) -> None:
    """The outbox gauges: how long the oldest due event has waited, and how many were given up."""
    t = outbox_events.c
    # The oldest due event comes from the pending index; dead letters are few and counted by a scan.
    oldest = sa.select(sa.func.min(t.available_at)).where(
        t.processed_at.is_(None), t.failed_at.is_(None), t.available_at <= sa.func.now()
    )
    dead = sa.select(sa.func.count()).where(t.failed_at.is_not(None), t.processed_at.is_(None))
    query = sa.select(
        sa.func.coalesce(sa.func.extract("epoch", sa.func.now() - oldest.scalar_subquery()), 0),
        dead.scalar_subquery(),
    )
    try:
        async with stores.engine.connect() as conn:
            lag, given_up = (await conn.execute(query)).one()
    except Exception:
        logger.exception("reading the outbox gauges failed; trying again later")
        return
    metrics.OUTBOX_LAG.set(float(lag))
    metrics.OUTBOX_DEAD_LETTERS.set(int(given_up))


async def watch_outbox(stores: Stores, interval: float = GAUGE_INTERVAL_SECONDS) -> None:
    """Keep the outbox gauges current until cancelled. The gateway runs this, not the worker: the
    worker process has no /metrics, and the figures are the table's, whoever drains it."""
    while True:
        await _measure_outbox(stores)
        await asyncio.sleep(interval)
