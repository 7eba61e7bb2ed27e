"""The per-request DataLoader: keys asked for during one tick go to the store in one batch.

Strawberry's DataLoader makes a future per key, and `load_many` gathers them; a dashboard asks
for about two thousand keys, and those futures, gathers and (for the reason below) shields were
a large share of its CPU. This one keeps per key only its value, and gives each caller one
future of its own, already done when every key it asks for is known.

A caller's future is never shared. When one field fails, graphql-core cancels its sibling
fields' tasks, and a cancelled task cancels the future it awaits; a shared future would fail
every other field waiting on the same key (a bare CancelledError, an HTTP 500).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import Generic, TypeVar

from learnhub.observability.metrics import batch as batch_size

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")

# Large enough that a 20-course dashboard (about a thousand lessons) is one batch; small
# enough that one `$in` / `= ANY` list stays well under the stores' message limits.
MAX_BATCH_SIZE = 1000

BatchFn = Callable[[list[K]], Awaitable[Sequence[V | BaseException]]]


def in_key_order(keys: Sequence[K], records: Iterable[T], key_of: Callable[[T], K]) -> list[T | None]:
    """Results aligned with `keys`; None for a key with no record (a miss is not an error here)."""
    found = {key_of(record): record for record in records}
    return [found.get(key) for key in keys]


def in_key_groups(keys: Sequence[K], records: Iterable[T], key_of: Callable[[T], K]) -> list[list[T]]:
    """Each key's records, in the order given; an empty list for a key with none."""
    grouped: dict[K, list[T]] = {}
    for record in records:
        grouped.setdefault(key_of(record), []).append(record)
    return [grouped.get(key, []) for key in keys]


class _Batch(Generic[K]):
    """Keys on their way to the store, and the callers waiting for some of them."""

    __slots__ = ("keys", "waiters")

    def __init__(self) -> None:
        self.keys: list[K] = []
        self.waiters: list[_Waiter[K]] = []


class _Waiter(Generic[K]):
    """One caller: its future, its keys, and how many batches it still waits for."""

    __slots__ = ("future", "keys", "many", "pending")

    def __init__(self, future: asyncio.Future[object], keys: list[K], many: bool, pending: int) -> None:
        self.future = future
        self.keys = keys
        self.many = many
        self.pending = pending


class DataLoader(Generic[K, V]):
    """Batched, cached (per request) loads of V by K; a key's failure fails only the callers that asked for it."""

    def __init__(self, batch_fn: BatchFn[K, V], *, max_batch_size: int = MAX_BATCH_SIZE) -> None:
        self._batch_fn = batch_fn
        self._max = max_batch_size
        self._values: dict[K, V | BaseException] = {}
        self._in_flight: dict[K, _Batch[K]] = {}
        self._open: _Batch[K] | None = None
        # The loop keeps only weak references to tasks; these must live until their batch is in.
        self._tasks: set[asyncio.Task[None]] = set()

    def load(self, key: K) -> Awaitable[V]:
        return self._wait([key], many=False)  # type: ignore[return-value]

    def load_many(self, keys: Sequence[K]) -> Awaitable[list[V]]:
        return self._wait(list(keys), many=True)  # type: ignore[return-value]

    def prime(self, key: K, value: V) -> None:
        """Remember a value someone else already read (a page's rows), unless this key is loaded or on its way."""
        if key not in self._values and key not in self._in_flight:
            self._values[key] = value

    def _wait(self, keys: list[K], *, many: bool) -> asyncio.Future[object]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[object] = loop.create_future()
        batches: dict[int, _Batch[K]] = {}
        for key in keys:
            if key in self._values:
                continue
            batch = self._in_flight.get(key) or self._enqueue(key, loop)
            batches[id(batch)] = batch
        if not batches:
            self._settle(future, keys, many)
            return future
        waiter = _Waiter(future, keys, many, len(batches))
        for batch in batches.values():
            batch.waiters.append(waiter)
        return future

    def _enqueue(self, key: K, loop: asyncio.AbstractEventLoop) -> _Batch[K]:
        batch = self._open
        if batch is None or len(batch.keys) >= self._max:
            batch = self._open = _Batch()
            # Dispatched on the next tick, once every field resolving now has asked for its keys.
            loop.call_soon(self._start, batch, loop)
        batch.keys.append(key)
        self._in_flight[key] = batch
        return batch

    def _start(self, batch: _Batch[K], loop: asyncio.AbstractEventLoop) -> None:
        task = loop.create_task(self._dispatch(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, batch: _Batch[K]) -> None:
        if self._open is batch:
            self._open = None
        try:
            batch_size(len(batch.keys))
            values: Sequence[V | BaseException] = await self._batch_fn(batch.keys)
            if len(values) != len(batch.keys):
                raise RuntimeError(f"loader returned {len(values)} values for {len(batch.keys)} keys")
        except Exception as exc:  # every key of a failed batch fails with its error
            values = [exc] * len(batch.keys)
        for key, value in zip(batch.keys, values, strict=True):
            self._values[key] = value
            del self._in_flight[key]
        for waiter in batch.waiters:
            waiter.pending -= 1
            if waiter.pending == 0 and not waiter.future.done():  # done: its caller was cancelled
                self._settle(waiter.future, waiter.keys, waiter.many)

    def _settle(self, future: asyncio.Future[object], keys: list[K], many: bool) -> None:
        values = [self._values[key] for key in keys]
        for value in values:
            if isinstance(value, BaseException):
                future.set_exception(value)
                return
        future.set_result(values if many else values[0])
