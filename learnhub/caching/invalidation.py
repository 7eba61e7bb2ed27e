"""The content generation: one Redis counter that names the published content of the moment.

Every cached answer is stored under the generation read before its request executed, and looked
up under the generation read when a request arrives. Code that changes content a viewer may see
moves the counter after its write (`content_changed`): from then on every gateway process reads
the new generation, and no answer of the old content is served again, in any process.

Why a Redis counter rather than the outbox's NOTIFY (the channel the worker LISTENs on):
- it is synchronous: the mutation moves it before it answers, so a read that follows the
  mutation's answer misses in every process. A notification reaches each process a little
  later, and a read in between would be served the old answer from a process's memory;
- it moves for content only: the channel fires on every outbox event (lesson progress, quiz
  submissions, uploads) and carries no payload, so each student action would flush the cache;
- it is shared: answers in Redis are keyed by a value every process agrees on.
The content-changing paths already name themselves by recording the `search.course` outbox
event after their MongoDB write (learnhub/authoring/indexing.py); the counter moves at the same
places (and when a course is published or unpublished, a PostgreSQL-only change).

The race "a request read the old content, the change committed, then the request stored its
answer" is harmless: the answer goes under the generation read before executing, which the
change has moved past. What the counter does not cover: a process that dies between a write and
the move leaves the old answers in place until their TTL (60 s by default); so does a change
made outside the authoring code (seeding, an operator in a database shell). Other data an
anonymous answer can show beside content (an instructor's name or avatar) is also up to a TTL
old.

A missing counter (Redis restarted or evicted it) starts from Redis's clock in microseconds, not
from zero, so a generation never comes back: an answer a process still holds in memory from
before the restart cannot match again.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

logger = logging.getLogger("learnhub.caching")

# Every key of the public cache lives under this prefix (answers: `<prefix>:<generation>:<digest>`).
PREFIX = "pubcache"
GENERATION_KEY = f"{PREFIX}:generation"

# Lua, run at the start of both scripts: KEYS[1] is the counter, `generation` its value after.
START_GENERATION = """
local generation = redis.call('GET', KEYS[1])
if not generation then
  local now = redis.call('TIME')
  generation = now[1] .. string.format('%06d', tonumber(now[2]))
  redis.call('SET', KEYS[1], generation, 'NX')
  generation = redis.call('GET', KEYS[1])
end
"""
_BUMP = START_GENERATION + "return redis.call('INCR', KEYS[1])"

# A content change waits at most this long for Redis: its write has committed and must answer.
BUMP_TIMEOUT_SECONDS = 1.0


async def content_changed(redis: Redis) -> None:
    """Move the content generation; called after a write to content anonymous viewers may see.

    Never raises: the write has committed. If Redis cannot be reached, the answers cached before
    the change age out within their TTL."""
    try:
        async with asyncio.timeout(BUMP_TIMEOUT_SECONDS):
            await redis.eval(_BUMP, 1, GENERATION_KEY)
    except Exception as exc:  # Redis down or slow: the change stands, cached answers expire
        logger.warning("could not move the public cache's content generation: %s: %s", type(exc).__name__, exc)
