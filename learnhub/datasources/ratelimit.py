"""Token buckets in Redis, shared by every gateway process.

One Lua script checks (and optionally charges) several buckets atomically on Redis's clock,
so two gateway processes behind a load balancer enforce one limit, and a request charged to
both a user and an IP bucket is never half-charged. One round trip per check.

While Redis is down (its guard's timeout or open breaker, datasources/guard.py) the same
buckets are kept in this process instead: each process then enforces the limits on its own, so
N processes let through up to N times the shared limit until Redis is back. Measured before:
with Redis frozen every request failed (the dashboard with HTTP 500 and a null body).
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from learnhub.core.errors import StoreUnavailable
from learnhub.datasources.guard import StoreGuard
from learnhub.observability import metrics

logger = logging.getLogger("learnhub.ratelimit")

# Buckets kept in process while Redis is down: enough for every client of a busy minute; the
# least recently used goes first (a forgotten bucket starts full, as a new one in Redis does).
LOCAL_BUCKETS = 50_000

# KEYS: bucket keys. ARGV: cost, charge (1/0), then capacity and refill-per-second per key.
# A bucket is a hash {t: tokens, ts: last update}; it expires once it would be full again.
_SCRIPT = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) + tonumber(now_t[2]) / 1000000
local cost = tonumber(ARGV[1])
local charge = ARGV[2] == '1'
local levels = {}
local wait = 0
for i = 1, #KEYS do
  local capacity = tonumber(ARGV[1 + i * 2])
  local rate = tonumber(ARGV[2 + i * 2])
  local state = redis.call('HMGET', KEYS[i], 't', 'ts')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  if tokens == nil then
    tokens = capacity
  else
    tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
  end
  levels[i] = tokens
  if tokens < cost then
    wait = math.max(wait, (cost - tokens) / rate)
  end
end
if wait > 0 then
  return {0, tostring(wait)}
end
if charge then
  for i = 1, #KEYS do
    local capacity = tonumber(ARGV[1 + i * 2])
    local rate = tonumber(ARGV[2 + i * 2])
    redis.call('HSET', KEYS[i], 't', tostring(levels[i] - cost), 'ts', tostring(now))
    redis.call('PEXPIRE', KEYS[i], math.ceil(capacity / rate * 1000) + 1000)
  end
end
return {1, '0'}
"""


@dataclass(frozen=True)
class Bucket:
    key: str
    capacity: float
    per_second: float


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: float  # seconds until the request would be allowed

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds for a Retry-After header (never 0 when refused)."""
        return max(1, math.ceil(self.retry_after)) if not self.allowed else 0


class LocalBuckets:
    """The Lua script's rules, in this process (for while Redis cannot be reached)."""

    def __init__(self, size: int = LOCAL_BUCKETS) -> None:
        self._size = size
        self._levels: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def check(self, buckets: list[Bucket], *, cost: float, charge: bool, now: float | None = None) -> Verdict:
        now = time.monotonic() if now is None else now
        levels = []
        wait = 0.0
        for bucket in buckets:
            tokens, at = self._levels.get(bucket.key, (bucket.capacity, now))
            tokens = min(bucket.capacity, tokens + max(0.0, now - at) * bucket.per_second)
            levels.append(tokens)
            if tokens < cost:
                wait = max(wait, (cost - tokens) / bucket.per_second)
        if wait > 0:
            return Verdict(False, wait)
        if charge:
            for bucket, tokens in zip(buckets, levels, strict=True):
                self._levels[bucket.key] = (tokens - cost, now)
                self._levels.move_to_end(bucket.key)
            while len(self._levels) > self._size:
                self._levels.popitem(last=False)
        return Verdict(True, 0.0)


class RateLimiter:
    def __init__(self, redis: Redis, guard: StoreGuard | None = None) -> None:
        self._script: AsyncScript = redis.register_script(_SCRIPT)
        self._guard = guard
        self._local = LocalBuckets()
        self._degraded = False

    async def check(self, buckets: list[Bucket], *, cost: float = 1.0, charge: bool = True) -> Verdict:
        """Allowed when every bucket holds `cost` tokens; charges all of them only then."""
        if self._guard is None:
            return await self._shared(buckets, cost, charge)
        try:
            verdict = await self._guard.run(self._shared, buckets, cost, charge)
        except StoreUnavailable:
            if not self._degraded:
                self._degraded = True
                logger.warning("rate limits: Redis unavailable; buckets kept per process until it is back")
            local = self._local.check(buckets, cost=cost, charge=charge)
            if not local.allowed and buckets:
                metrics.refused(buckets[0].key)
            return local
        if self._degraded:
            self._degraded = False
            logger.info("rate limits: Redis back; buckets shared again")
        return verdict

    async def _shared(self, buckets: list[Bucket], cost: float, charge: bool) -> Verdict:
        args: list[str | float] = [cost, "1" if charge else "0"]
        for bucket in buckets:
            args += [bucket.capacity, bucket.per_second]
        # One store call in the metrics and the trace, as every command of the client (datasources/redis.py).
        allowed, wait = await self._script(keys=[b.key for b in buckets], args=args)
        if not allowed and buckets:
            metrics.refused(buckets[0].key)
        return Verdict(bool(allowed), float(wait))


def account_key(email: str) -> str:
    """A bucket name for an email that exists or not alike, without storing the address."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
