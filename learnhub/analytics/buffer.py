"""The per-process event buffer: events wait here and are written to PostgreSQL in bulk.

Why: one INSERT per `trackEvents` call (or per server event) would put a PostgreSQL round trip
and a commit on every request; a COPY of everything that arrived in the last second writes the
same rows for a fraction of the cost (bench `track`: see README "Analytics").

- Flushed every `analytics_flush_seconds`, or as soon as it holds `analytics_flush_events`, by
  a task the app lifespan (and the standalone worker) starts; flushed once more at shutdown.
- Bounded: it holds at most `analytics_buffer_events`. A call that would overfill it waits for a
  flush first (back-pressure, no event dropped); if PostgreSQL does not take the rows, the call
  is refused with ANALYTICS_BUSY and nothing of it is kept.
- A failed flush puts its events back in front of newer ones, to be tried again on the next tick.
- A crash (the process killed, not stopped) loses what the buffer holds: at most about one
  second of events, or `analytics_buffer_events` while PostgreSQL is unreachable.

The buffer is found through the engine it writes to (`buffer_of`), as the read pool is in
raw.py: domain code holds `Stores`, not the app. Without a running buffer (scripts, the seed),
events are written at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator, Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.analytics.catalog import COLUMNS, Event
from learnhub.core.errors import AnalyticsBusy
from learnhub.core.settings import Settings
from learnhub.datasources.postgres import analytics as rows

logger = logging.getLogger("learnhub.analytics")


async def write(engine: AsyncEngine, events: Sequence[Event]) -> None:
    """Write events now, all or none."""
    if events:
        await rows.copy_events(engine, COLUMNS, [event.record() for event in events])


class EventBuffer:
    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self.engine = engine
        self.interval = settings.analytics_flush_seconds
        self.flush_at = settings.analytics_flush_events
        self.capacity = settings.analytics_buffer_events
        self._events: list[Event] = []
        self._lock = asyncio.Lock()  # one flush at a time, so a failed one can put its rows back in order
        self._due = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.written = 0  # rows written since start
        self.flushes = 0

    def __len__(self) -> int:
        return len(self._events)

    async def add(self, events: Sequence[Event]) -> None:
        """Take all of the events or none (ANALYTICS_BUSY)."""
        # A loop, not one flush: callers waiting on the same flush may refill the buffer before
        # this one looks again (seen with 16 concurrent writers in tests/analytics/test_buffer.py).
        while len(self._events) + len(events) > self.capacity:
            try:
                await self.flush()
            except Exception:  # logged by flush
                if len(self._events) + len(events) > self.capacity:
                    raise AnalyticsBusy("Analytics cannot take more events right now; send them again later") from None
        self._events.extend(events)
        if len(self._events) >= self.flush_at:
            self._due.set()

    async def flush(self) -> int:
        """Write everything buffered; returns how many rows were written."""
        async with self._lock:
            batch, self._events = self._events, []
            if not batch:
                return 0
            try:
                await write(self.engine, batch)
            except BaseException:  # a cancelled write (shutdown) keeps its events too
                # Back in front of what arrived meanwhile; past capacity the newest are refused
                # by `add`, never dropped here.
                self._events = batch + self._events
                logger.exception("writing %d analytics events failed; retrying on the next flush", len(batch))
                raise
            self.written += len(batch)
            self.flushes += 1
            return len(batch)

    async def _run(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._due.wait()
            self._due.clear()
            with contextlib.suppress(Exception):  # logged by flush; tried again next tick
                await self.flush()

    def start(self) -> None:
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="analytics-buffer")

    async def stop(self) -> None:
        """Stop the timer and write what is left (a clean shutdown loses nothing).

        The task is asked to end, not cancelled: on Python 3.11 a cancel that lands as
        `wait_for` wakes up is swallowed and the task runs on (a shutdown hung in
        tests/analytics/test_buffer.py), and a cancelled COPY would leave its rows unsure."""
        if self._task is not None:
            self._stopping = True
            self._due.set()
            await self._task
            self._task = None
        try:
            await self.flush()
        except Exception:
            logger.error("%d analytics events could not be written at shutdown and are lost", len(self._events))


_BUFFERS: weakref.WeakKeyDictionary[AsyncEngine, EventBuffer] = weakref.WeakKeyDictionary()


def buffer_of(engine: AsyncEngine) -> EventBuffer | None:
    return _BUFFERS.get(engine)


@contextlib.asynccontextmanager
async def running(engine: AsyncEngine, settings: Settings) -> AsyncIterator[EventBuffer]:
    """A started buffer for the engine for the duration; the one already running if there is one
    (the gateway's, when the worker runs inside it), which its owner stops."""
    existing = _BUFFERS.get(engine)
    if existing is not None:
        yield existing
        return
    buffer = EventBuffer(engine, settings)
    _BUFFERS[engine] = buffer
    buffer.start()
    try:
        yield buffer
    finally:
        _BUFFERS.pop(engine, None)
        await buffer.stop()
