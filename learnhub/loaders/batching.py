"""Shared pieces of every loader: key-ordered results and the batch size bound."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Large enough that a 20-course dashboard (about a thousand lessons) is one batch; small
# enough that one `$in` / `= ANY` list stays well under the stores' message limits.
MAX_BATCH_SIZE = 1000


def in_key_order(keys: Sequence[K], records: Iterable[V], key_of: Callable[[V], K]) -> list[V | None]:
    """Results aligned with `keys`; None for a key with no record (a miss is not an error here)."""
    found = {key_of(record): record for record in records}
    return [found.get(key) for key in keys]
