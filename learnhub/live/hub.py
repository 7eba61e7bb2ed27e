"""One reader per gateway process that multiplexes Redis streams to the process's subscribers.

Why one reader, not an XREAD BLOCK per subscription: a blocked XREAD holds its Redis
connection, so a reader per subscription needs a connection per subscription (10,000 sockets,
10,000 connections, past the pool and Redis's default client limit). Here one dedicated
connection blocks on every stream that has a local subscriber and hands each entry to the
subscribers' queues; a stream that gains its first subscriber interrupts the blocked read
(CLIENT UNBLOCK), so it is read from then on without waiting for the block to time out.
bench/fanout.py measures the delivery latency this gives across two gateway processes.

Catch-up is the subscriber's own: it registers its queue first, then reads what it missed
with XRANGE from its cursor (or the stream's newest id), and skips anything the reader hands
it that it has already delivered, so an entry appended in between is neither lost nor repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

from learnhub.core.settings import Settings
from learnhub.live import streams
from learnhub.live.streams import Event

logger = logging.getLogger("learnhub.live")

# How long one XREAD blocks when nothing arrives. New streams interrupt it; this bounds the one
# race left (a stream added just before the read reaches Redis) at the cost of an idle round
# trip a second per process.
BLOCK_MS = 1_000
# Entries buffered per subscriber; a subscriber that falls further behind re-reads the stream
# from its last delivered id instead of holding more in memory.
QUEUE_SIZE = 1_000
# After a failed read (Redis restarting), wait before trying again.
RETRY_SECONDS = 0.5


def _order(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


class _Subscriber:
    __slots__ = ("lagged", "queue")

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self.lagged = asyncio.Event()


class Hub:
    def __init__(self, settings: Settings, redis: Redis) -> None:
        self.settings = settings
        self.redis = redis  # pooled: replays, tips, CLIENT UNBLOCK
        self._reader = Redis.from_url(settings.redis_url, decode_responses=False, single_connection_client=True)
        self._reader_id: int | None = None
        self._subscribers: dict[str, set[_Subscriber]] = {}
        self._positions: dict[str, str] = {}
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failing = False

    @property
    def streams_read(self) -> int:
        return len(self._positions)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._reader.aclose()

    async def follow(self, stream: str, after_id: str | None) -> AsyncIterator[Event]:
        """Every event of `stream` after `after_id` (None: from now), as it arrives; until closed."""
        me = _Subscriber()
        self._subscribers.setdefault(stream, set()).add(me)
        try:
            last = after_id
            if last is not None:
                for event in await self._replay(stream, last):
                    yield event
                    last = event.id
            else:
                last = await streams.tip(self.redis, stream)
            await self._read_from(stream, last)
            while True:
                if me.lagged.is_set() and me.queue.empty():
                    me.lagged.clear()
                    for event in await self._replay(stream, last):
                        yield event
                        last = event.id
                    continue
                event = await me.queue.get()
                if _order(event.id) <= _order(last):
                    continue  # already delivered by the replay
                yield event
                last = event.id
        finally:
            subscribers = self._subscribers.get(stream)
            if subscribers is not None:
                subscribers.discard(me)
                if not subscribers:
                    del self._subscribers[stream]
                    self._positions.pop(stream, None)

    async def _replay(self, stream: str, after_id: str) -> list[Event]:
        found: list[Event] = []
        while True:
            page = await streams.after(self.redis, stream, found[-1].id if found else after_id)
            found += page
            if len(page) < 1000:
                return found

    async def _read_from(self, stream: str, stream_id: str) -> None:
        """Make the reader read `stream` from `stream_id` on (or from earlier, if it already does)."""
        current = self._positions.get(stream)
        if current is not None and _order(current) <= _order(stream_id):
            return
        self._positions[stream] = stream_id
        self._changed.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="live-hub")
        elif self._reader_id is not None:
            with contextlib.suppress(RedisError):
                await self.redis.client_unblock(self._reader_id)

    async def _run(self) -> None:
        while True:
            if not self._positions:
                self._changed.clear()
                await self._changed.wait()
                continue
            self._changed.clear()
            sent = dict(self._positions)
            try:
                if self._reader_id is None:
                    self._reader_id = int(await self._reader.client_id())
                found = await streams.read_new(self._reader, sent, BLOCK_MS)
                self._failing = False
            except RedisError as exc:
                if self._reader_id is not None or not self._failing:  # once per outage
                    logger.warning("live stream read failed; retrying: %s", exc)
                self._failing = True
                self._reader_id = None
                await asyncio.sleep(RETRY_SECONDS)  # backoff while Redis is away, not synchronisation
                continue
            for stream, events in found:
                if not events:
                    continue
                if self._positions.get(stream) == sent[stream]:  # not moved back meanwhile
                    self._positions[stream] = events[-1].id
                for subscriber in self._subscribers.get(stream, ()):
                    for event in events:
                        try:
                            subscriber.queue.put_nowait(event)
                        except asyncio.QueueFull:
                            subscriber.lagged.set()
                            break
