"""Event streams in Redis: one stream per user, course and quiz attempt; stream ids are cursors.

Every gateway process appends with XADD and reads with XRANGE/XREAD, so an event published by
any process (or the worker) reaches sockets on every replica. Retention is by time: each XADD
trims entries older than the retention window (MINID, approximate, so Redis trims whole
macro-nodes cheaply) and sets the key to expire after the window, so a stream nobody writes
to disappears. Trimming by time, never by length, makes the resync decision exact: every entry
newer than the window is still there, so a cursor inside the window misses nothing and a cursor
outside it is refused with RESYNC_REQUIRED.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from redis.asyncio import Redis

PREFIX = "live"
USER = "u"
COURSE = "c"
ATTEMPT = "a"

_STREAM_ID = re.compile(r"^(\d{1,15})-(\d{1,15})$")
_KEY = re.compile(r"^live:[uca]:[A-Za-z0-9:_.-]{1,220}$")


def user_stream(user_id: uuid.UUID) -> str:
    return f"{PREFIX}:{USER}:{user_id}"


def course_stream(course_content_id: str) -> str:
    return f"{PREFIX}:{COURSE}:{course_content_id}"


def attempt_stream(attempt_id: uuid.UUID) -> str:
    return f"{PREFIX}:{ATTEMPT}:{attempt_id}"


@dataclass(frozen=True)
class Event:
    stream: str
    id: str  # the Redis stream id, `<ms>-<seq>`
    kind: str
    data: dict[str, Any]

    @property
    def cursor(self) -> str:
        return encode_cursor(self.stream, self.id)


class CursorInvalid(ValueError):
    """Not a cursor of this stream (another subscription's, tampered, or from the future)."""


class ResyncRequired(Exception):
    """The cursor is older than the retention window: events after it may be gone."""


def encode_cursor(stream: str, stream_id: str) -> str:
    return base64.urlsafe_b64encode(f"{stream}|{stream_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, stream: str) -> str:
    """The stream id in `cursor`, which must belong to `stream`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorInvalid("Not a cursor of this subscription") from None
    key, _, stream_id = raw.rpartition("|")
    if key != stream or not _STREAM_ID.match(stream_id):
        raise CursorInvalid("Not a cursor of this subscription")
    return stream_id


def _ms(stream_id: str) -> int:
    return int(stream_id.split("-", 1)[0])


def check_resumable(stream_id: str, retention_seconds: int, now_ms: int | None = None) -> None:
    """Raise ResyncRequired when the cursor is older than the window, CursorInvalid when it is
    ahead of the clock (ids are Redis server milliseconds; a minute of skew is allowed)."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    at = _ms(stream_id)
    if at > now_ms + 60_000:
        raise CursorInvalid("Not a cursor of this subscription")
    if at < now_ms - retention_seconds * 1000:
        raise ResyncRequired(f"Events older than {retention_seconds} s are no longer kept")


def _event(stream: str, entry_id: bytes | str, fields: dict[bytes, bytes]) -> Event:
    sid = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return Event(stream, sid, fields[b"kind"].decode(), orjson.loads(fields[b"data"]))


async def publish(redis: Redis, stream: str, kind: str, data: dict[str, Any], retention_seconds: int) -> str:
    """Append one event (one round trip: XADD with trimming, and the key's expiry)."""
    oldest = int(time.time() * 1000) - retention_seconds * 1000
    async with redis.pipeline(transaction=False) as pipe:
        pipe.xadd(stream, {"kind": kind, "data": orjson.dumps(data)}, minid=oldest, approximate=True)
        pipe.expire(stream, retention_seconds)
        entry_id, _ = await pipe.execute()
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


async def after(redis: Redis, stream: str, stream_id: str, limit: int = 1000) -> list[Event]:
    """Entries after `stream_id`, oldest first (at most `limit`)."""
    entries: Any = await redis.xrange(stream, min=f"({stream_id}", max="+", count=limit)
    return [_event(stream, entry_id, fields) for entry_id, fields in entries]


async def tip(redis: Redis, stream: str) -> str:
    """The newest entry's id, `0-0` for an empty or missing stream."""
    newest: Any = await redis.xrevrange(stream, max="+", min="-", count=1)
    if not newest:
        return "0-0"
    entry_id = newest[0][0]
    return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)


async def read_new(
    redis: Redis, positions: dict[str, str], block_ms: int, count: int = 500
) -> list[tuple[str, list[Event]]]:
    """XREAD BLOCK over every stream in `positions`; [] on timeout."""
    answer: Any = await redis.xread(positions, count=count, block=block_ms)  # type: ignore[arg-type]
    found = []
    for key, entries in answer or []:
        stream = key.decode() if isinstance(key, bytes) else key
        found.append((stream, [_event(stream, entry_id, fields) for entry_id, fields in entries]))
    return found


def valid_stream(stream: str) -> bool:
    return bool(_KEY.match(stream))
