"""The Redis client (short-lived keys with TTLs, pub/sub)."""

from __future__ import annotations

from redis.asyncio import Redis

from learnhub.settings import Settings


def make_redis(settings: Settings) -> Redis:
    return Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=settings.store_connect_timeout_seconds,
        decode_responses=False,
    )
