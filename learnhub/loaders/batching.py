"""Shared pieces of every loader: key-ordered results and the batch size bound."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from typing import TypeVar

import strawberry.dataloader

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Large enough that a 20-course dashboard (about a thousand lessons) is one batch; small
# enough that one `$in` / `= ANY` list stays well under the stores' message limits.
MAX_BATCH_SIZE = 1000


def in_key_order(keys: Sequence[K], records: Iterable[V], key_of: Callable[[V], K]) -> list[V | None]:
    """Results aligned with `keys`; None for a key with no record (a miss is not an error here)."""
    found = {key_of(record): record for record in records}
    return [found.get(key) for key in keys]


class DataLoader(strawberry.dataloader.DataLoader[K, V]):
    """Strawberry's DataLoader, with each caller's wait shielded.

    When one field fails, graphql-core cancels its sibling fields' tasks, and a cancelled task
    cancels the future it awaits. Loader futures are shared by every field that asked for the
    same key, so without the shield one failed field cancelled another field's batch and a bare
    CancelledError escaped the request as an HTTP 500.
    """

    def load(self, key: K) -> Awaitable[V]:
        return asyncio.shield(super().load(key))
