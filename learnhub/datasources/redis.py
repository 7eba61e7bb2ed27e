"""Redis: short-lived keys with TTLs (one-time links, session states, persisted queries) and rate limits.

Every key lives under a prefix named here, so an operator can tell what a key is for.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

from learnhub.core.settings import Settings
from learnhub.observability import stores as store_calls

MAGIC_LINK = "magiclink"
PASSWORD_RESET = "pwreset"
APQ = "apq"
# What Redis knows of a session, cached from PostgreSQL (the source of truth). An ended session
# keeps its marker under the name it has always had, so a gateway of the previous release still
# honours the revocations of this one during a rolling deploy.
REVOKED_SESSION = "revoked:sid"
ALIVE_SESSION = "alive:sid"


class ObservedRedis(Redis):
    """Every command is one store call for the metrics and the request's trace
    (observability/stores.py); the cost is a clock read and a histogram update per command."""

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        call = store_calls.start("redis", str(args[0]) if args else "call")
        try:
            # redis-py leaves this method untyped.
            result = await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
        except BaseException as exc:
            store_calls.finish(call, exc)
            raise
        store_calls.finish(call)
        return result


def make_redis(settings: Settings) -> Redis:
    return ObservedRedis.from_url(
        settings.redis_url,
        socket_connect_timeout=settings.redis_timeout_seconds,
        # A frozen Redis (SIGSTOP) keeps its sockets open and never answers: without a read
        # timeout every request that asked it hung until its 10 s operation timeout.
        socket_timeout=settings.redis_timeout_seconds,
        decode_responses=False,
        # `from_url` retries nothing, so after Redis restarts the first command on every pooled
        # (now dead) connection failed. One immediate retry on a fresh connection hides that;
        # a Redis that is really down still fails at once, and the session check then asks
        # PostgreSQL without waiting out a backoff.
        retry=Retry(NoBackoff(), 1, (RedisConnectionError,)),
    )


async def put_one_time(redis: Redis, prefix: str, payload: dict[str, Any], ttl_seconds: int) -> str:
    """Store `payload` under a fresh random id and return the id (the secret in the link)."""
    token = str(uuid.uuid4())
    await redis.set(f"{prefix}:{token}", orjson.dumps(payload), ex=ttl_seconds)
    return token


def _decode(raw: bytes | str | None) -> dict[str, Any] | None:
    payload = orjson.loads(raw) if raw is not None else None
    return payload if isinstance(payload, dict) else None


def _is_token(token: str) -> bool:
    try:
        uuid.UUID(token)
    except ValueError:
        return False
    return True


async def take_one_time(redis: Redis, prefix: str, token: str) -> dict[str, Any] | None:
    """Atomically read and delete: of two concurrent redeemers exactly one gets the payload."""
    return _decode(await redis.getdel(f"{prefix}:{token}")) if _is_token(token) else None


async def peek_one_time(redis: Redis, prefix: str, token: str) -> dict[str, Any] | None:
    return _decode(await redis.get(f"{prefix}:{token}")) if _is_token(token) else None


async def revoke_sessions(redis: Redis, session_ids: list[uuid.UUID], ttl_seconds: int) -> None:
    """Mark sessions revoked for as long as an access token of theirs could still be alive."""
    if not session_ids:
        return
    # The alive key goes too: were the marker evicted under memory pressure, the check would
    # then ask PostgreSQL instead of trusting a stale "alive".
    async with redis.pipeline(transaction=False) as pipe:
        for sid in session_ids:
            pipe.set(f"{REVOKED_SESSION}:{sid}", b"1", ex=ttl_seconds)
            pipe.delete(f"{ALIVE_SESSION}:{sid}")
        await pipe.execute()


async def mark_session_alive(redis: Redis, session_id: uuid.UUID, ttl_seconds: int) -> None:
    """Cache that PostgreSQL holds the session as live. A revoked marker still wins over it, so a
    write racing with a revocation cannot bring the session back."""
    await redis.set(f"{ALIVE_SESSION}:{session_id}", b"1", ex=ttl_seconds)


async def cached_session_state(redis: Redis, session_id: uuid.UUID) -> bool | None:
    """True when cached alive, False when revoked, None when Redis does not know (one round trip)."""
    revoked, alive = await redis.mget(f"{REVOKED_SESSION}:{session_id}", f"{ALIVE_SESSION}:{session_id}")
    if revoked is not None:
        return False
    return True if alive is not None else None


async def persisted_query(redis: Redis, sha256: str) -> str | None:
    raw = await redis.get(f"{APQ}:{sha256}")
    return raw.decode() if isinstance(raw, bytes) else raw


async def persist_query(redis: Redis, sha256: str, query: str, ttl_seconds: int) -> None:
    await redis.set(f"{APQ}:{sha256}", query.encode(), ex=ttl_seconds)
