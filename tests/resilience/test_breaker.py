"""The breaker, the per-process rate-limit buckets and the local session states: pure rules, in process."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from learnhub.auth.sessions import LocalSessionStates
from learnhub.core.breaker import Breaker, State
from learnhub.core.errors import StoreUnavailable
from learnhub.datasources.guard import StoreGuard, is_outage, outage_store
from learnhub.datasources.ratelimit import Bucket, LocalBuckets


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_consecutive_failures_and_fails_fast() -> None:
    clock = Clock()
    breaker = Breaker(failures=3, window=10, cooldown=1, clock=clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failed()
    assert breaker.state is State.CLOSED
    breaker.failed()
    assert breaker.state is State.OPEN
    assert not breaker.allow()


def test_a_success_resets_the_count_and_old_failures_leave_the_window() -> None:
    clock = Clock()
    breaker = Breaker(failures=2, window=5, cooldown=1, clock=clock)
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    assert breaker.state is State.CLOSED
    clock.now += 6  # the first failure of this run is now outside the window
    breaker.failed()
    assert breaker.state is State.CLOSED


def test_half_open_lets_one_probe_through_and_its_outcome_decides() -> None:
    clock = Clock()
    breaker = Breaker(failures=1, window=5, cooldown=1, clock=clock)
    breaker.failed()
    clock.now += 1.0
    assert breaker.state is State.HALF_OPEN
    assert breaker.allow()
    assert not breaker.allow()  # one probe at a time
    breaker.failed()  # the probe failed: open for another cool-down
    assert breaker.state is State.OPEN
    assert not breaker.allow()
    clock.now += 1.0
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state is State.CLOSED
    assert breaker.allow()
    assert breaker.allow()


def test_a_released_probe_frees_the_slot() -> None:
    clock = Clock()
    breaker = Breaker(failures=1, window=5, cooldown=1, clock=clock)
    breaker.failed()
    clock.now += 2
    assert breaker.allow()
    breaker.released()
    assert breaker.allow()


async def test_guard_times_out_counts_and_then_fails_fast() -> None:
    guard = StoreGuard("MongoDB", 0.05, Breaker(failures=2, window=10, cooldown=60))
    hung = asyncio.Event()  # never set: a store that does not answer

    for _ in range(2):
        with pytest.raises(StoreUnavailable) as caught:
            await guard.run(hung.wait)
        assert caught.value.store == "MongoDB"
        assert caught.value.extensions == {"store": "MongoDB"}
    loop = asyncio.get_running_loop()
    began = loop.time()
    with pytest.raises(StoreUnavailable):
        await guard.run(hung.wait)
    assert loop.time() - began < 0.02  # open: not even tried


async def test_guard_passes_a_store_answered_error_through_and_stays_closed() -> None:
    guard = StoreGuard("PostgreSQL", 1, Breaker(failures=1, window=10, cooldown=60))

    async def refuses() -> None:
        raise ValueError("duplicate key")

    for _ in range(3):
        with pytest.raises(ValueError, match="duplicate key"):
            await guard.run(refuses)
    assert guard.breaker.state is State.CLOSED


def test_outages_are_told_from_other_errors() -> None:
    assert is_outage(ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 28319)"))
    assert is_outage(TimeoutError())
    assert not is_outage(ValueError("bad"))
    wrapped = RuntimeError("wrapper")
    wrapped.__cause__ = StoreUnavailable("Redis")
    assert outage_store(StoreUnavailable("Redis")) == "Redis"
    assert outage_store(ValueError("bad")) is None


def test_local_buckets_follow_the_shared_rules() -> None:
    buckets = LocalBuckets()
    bucket = [Bucket("rl:ip:1", capacity=2, per_second=1)]
    assert buckets.check(bucket, cost=1, charge=True, now=0).allowed
    assert buckets.check(bucket, cost=1, charge=True, now=0).allowed
    refused = buckets.check(bucket, cost=1, charge=True, now=0)
    assert not refused.allowed
    assert refused.retry_after_seconds == 1
    assert buckets.check(bucket, cost=1, charge=True, now=1.0).allowed  # refilled one token


def test_local_session_states_expire() -> None:
    clock = Clock()
    states = LocalSessionStates(clock)
    sid = uuid.uuid4()
    assert states.get(sid) is None
    states.put(sid, False, 10)
    assert states.get(sid) is False
    clock.now += 11
    assert states.get(sid) is None
