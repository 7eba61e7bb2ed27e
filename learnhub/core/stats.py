"""Per-request count of round trips to each store.

Counted where the drivers report them (SQLAlchemy cursor events, PyMongo command
listeners), attributed to the request through a context variable, and shown in the
response's `extensions.roundTrips` outside production. Tests and the benchmark read it.
"""

from __future__ import annotations

from collections import Counter
from contextvars import ContextVar

_current: ContextVar[Counter[str] | None] = ContextVar("learnhub_round_trips", default=None)


def begin() -> Counter[str]:
    """Start counting for the current request (and the tasks it spawns)."""
    counter: Counter[str] = Counter()
    _current.set(counter)
    return counter


def stop() -> None:
    """Count nothing more in the current context (work done twice on purpose is not a round trip)."""
    _current.set(None)


def record(store: str) -> None:
    counter = _current.get()
    if counter is not None:
        counter[store] += 1


def current() -> Counter[str] | None:
    """The counter of the request being served on this task, if counting started."""
    return _current.get()
