"""A circuit breaker per store: fail fast while a store is down, probe to find it back.

Why: with a store frozen (SIGSTOP: the TCP connections stay open, calls just hang) every
request that touched it waited for the 10 s operation timeout, so c=8 clients completed nothing
for the whole outage; with the store killed each call paid a refused connect. Now a store call
has its own timeout (settings, per store) and, after `failures` consecutive failures within
`window` seconds, the breaker opens: calls fail at once with StoreUnavailable for `cooldown`
seconds, then one call at a time is let through as a probe (half-open); its success closes the
breaker, its failure opens it for another cool-down.

Pure (no I/O, no asyncio): the clock is passed in, so the rules are tested without sleeping.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Breaker:
    """closed -> open after `failures` consecutive failures within `window` s -> half-open after
    `cooldown` s (one probe at a time) -> closed on the probe's success, open again on its failure."""

    __slots__ = ("_clock", "_failures", "_first_failure", "_opened_at", "_probing", "cooldown", "failures", "window")

    def __init__(
        self,
        *,
        failures: int = 3,
        window: float = 10.0,
        cooldown: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.failures = failures
        self.window = window
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._first_failure = 0.0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return State.CLOSED
        if self._clock() - self._opened_at >= self.cooldown:
            return State.HALF_OPEN
        return State.OPEN

    def allow(self) -> bool:
        """May a call go to the store now? In half-open state only one probe is out at a time."""
        if self._opened_at is None:
            return True
        if self._probing or self._clock() - self._opened_at < self.cooldown:
            return False
        self._probing = True
        return True

    def succeeded(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def failed(self) -> None:
        now = self._clock()
        if self._opened_at is not None:
            # A failed probe (or a call that was already out when the breaker opened).
            self._opened_at = now
            self._probing = False
            return
        if self._failures == 0 or now - self._first_failure > self.window:
            self._failures = 0
            self._first_failure = now
        self._failures += 1
        if self._failures >= self.failures:
            self._opened_at = now

    def released(self) -> None:
        """A call let through ended without telling anything about the store (cancelled, or a
        non-store error): a probe's slot is freed so another call can probe."""
        self._probing = False
