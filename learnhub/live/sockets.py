"""Live sockets per user, counted in Redis so the limit holds across every gateway process.

Each socket holds a slot in a sorted set per user, scored with the time its slot expires; the
socket refreshes it every check interval, so the slots of a process that died (no clean close)
expire on their own instead of locking the user out.
"""

from __future__ import annotations

import time
import uuid

from redis.asyncio import Redis

PREFIX = "live:sockets"
# A slot lives this many check intervals without a refresh.
SLOT_LIFETIME_INTERVALS = 5

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if not redis.call('ZSCORE', KEYS[1], ARGV[4]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
"""


def _key(user_id: uuid.UUID) -> str:
    return f"{PREFIX}:{user_id}"


async def hold_slot(redis: Redis, user_id: uuid.UUID, socket_id: str, *, limit: int, lifetime_seconds: float) -> bool:
    """Take (or refresh) this socket's slot; False when the user already has `limit` other sockets."""
    now = int(time.time() * 1000)
    expires = now + int(lifetime_seconds * 1000)
    held = await redis.eval(_ACQUIRE, 1, _key(user_id), now, expires, limit, socket_id)
    return bool(held)


async def release_slot(redis: Redis, user_id: uuid.UUID, socket_id: str) -> None:
    await redis.zrem(_key(user_id), socket_id)


async def open_sockets(redis: Redis, user_id: uuid.UUID) -> int:
    return int(await redis.zcount(_key(user_id), int(time.time() * 1000), "+inf"))
