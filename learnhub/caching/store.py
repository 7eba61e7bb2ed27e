"""The two levels of the public cache: an LRU in this process and Redis, shared by every process.

A lookup costs one Redis round trip whatever the level that answers it: one script reads the
content generation and, unless this process already holds the answer of that generation, the
answer stored in Redis (a miss costs one SET more, to store its answer). Reading the generation
on every request is what lets another process's content change take effect here at once
(learnhub/caching/invalidation.py). Answers are kept as the JSON bytes of their `data`, so a hit
encodes nothing.

A Redis that cannot be reached never fails a request: the request executes as if nothing were
cached, the failure is logged once, and Redis is tried again after RETRY_SECONDS (a Redis that
does not answer would otherwise cost every request the timeout).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from learnhub.caching.invalidation import GENERATION_KEY, PREFIX, START_GENERATION
from learnhub.caching.keys import Operations, request_digest
from learnhub.core.settings import Settings

logger = logging.getLogger("learnhub.caching")

# KEYS[1]: the generation. ARGV: the answers' key prefix, the request digest, the generation of
# the answer this process holds ('' for none). Returns {generation} when that is still current or
# Redis has no answer, else {generation, answer, its remaining TTL in ms}.
_LOOKUP = (
    START_GENERATION
    + """
if generation == ARGV[3] then return {generation} end
local key = ARGV[1] .. generation .. ':' .. ARGV[2]
local answer = redis.call('GET', key)
if not answer then return {generation} end
return {generation, answer, redis.call('PTTL', key)}
"""
)

# The catalogue's first page is about 10 KB and a course outline a few KB: 4,096 answers fit
# every course page of a large catalogue, and 64 MiB bounds the worst case.
MAX_LOCAL_ENTRIES = 4096
MAX_LOCAL_BYTES = 64 * 1024 * 1024
# A larger answer (a page of 100 long outlines) is executed every time rather than crowd out others.
MAX_ANSWER_BYTES = 1024 * 1024
# Redis answers a local script in well under a millisecond; past this it is treated as lost.
REDIS_TIMEOUT_SECONDS = 0.5
RETRY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class Answer:
    generation: bytes
    expires_at: float  # time.monotonic()
    data: bytes  # the JSON of the answer's `data`


class LocalAnswers:
    """Request digest -> its latest answer; least recently used first out, bounded by entries and bytes."""

    def __init__(self, max_entries: int = MAX_LOCAL_ENTRIES, max_bytes: int = MAX_LOCAL_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._answers: OrderedDict[str, Answer] = OrderedDict()

    def get(self, digest: str, now: float) -> Answer | None:
        answer = self._answers.get(digest)
        if answer is None:
            return None
        if answer.expires_at <= now:
            self._drop(digest)
            return None
        self._answers.move_to_end(digest)
        return answer

    def put(self, digest: str, answer: Answer) -> None:
        if digest in self._answers:
            self._drop(digest)
        self._answers[digest] = answer
        self.size += len(answer.data)
        while len(self._answers) > self.max_entries or self.size > self.max_bytes:
            self._drop(next(iter(self._answers)))

    def _drop(self, digest: str) -> None:
        self.size -= len(self._answers.pop(digest).data)

    def __len__(self) -> int:
        return len(self._answers)


@dataclass(frozen=True, slots=True)
class Lookup:
    """A cacheable request: its answer if cached, and the generation to store a fresh one under."""

    digest: str
    generation: bytes | None  # None: Redis was not reached, so nothing is read or stored
    data: bytes | None = None

    @property
    def consulted(self) -> bool:
        return self.generation is not None


class PublicCache:
    def __init__(self, redis: Redis, settings: Settings) -> None:
        self.redis = redis
        self.ttl = settings.public_cache_ttl_seconds
        self.enabled = settings.public_cache_enabled and self.ttl > 0
        self.operations = Operations()
        self.local = LocalAnswers()
        self._lookup: AsyncScript = redis.register_script(_LOOKUP)
        self._down_until = 0.0
        self._down = False

    def cacheable(self, authorization: str | None, query: str | None, operation_name: str | None) -> bool:
        """An anonymous query whose root fields all read published content."""
        return (
            self.enabled
            and authorization is None
            and query is not None
            and self.operations.cacheable(query, operation_name)
        )

    async def lookup(
        self, query: str, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> Lookup | None:
        """None when the request has no key after all (see `request_digest`)."""
        digest = request_digest(query, operation_name, variables)
        if digest is None:
            return None
        now = time.monotonic()
        if now < self._down_until:
            return Lookup(digest, None)
        held = self.local.get(digest, now)
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                reply = await self._lookup(
                    keys=[GENERATION_KEY], args=[f"{PREFIX}:", digest, held.generation if held else b""]
                )
        except Exception as exc:  # Redis lost: answer without the cache
            self._lost(exc)
            return Lookup(digest, None)
        self._back()
        generation: bytes = reply[0]
        if held is not None and held.generation == generation:
            return Lookup(digest, generation, held.data)
        if len(reply) == 1:
            return Lookup(digest, generation)
        data: bytes = reply[1]
        left = int(reply[2]) / 1000 if int(reply[2]) > 0 else self.ttl
        self.local.put(digest, Answer(generation, now + left, data))
        return Lookup(digest, generation, data)

    async def store(self, lookup: Lookup, data: bytes) -> None:
        """Keep a fresh answer under the generation read before it was executed."""
        if lookup.generation is None or len(data) > MAX_ANSWER_BYTES:
            return
        self.local.put(lookup.digest, Answer(lookup.generation, time.monotonic() + self.ttl, data))
        key = f"{PREFIX}:{lookup.generation.decode()}:{lookup.digest}"
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
                await self.redis.set(key, data, ex=self.ttl)
        except Exception as exc:  # the answer is served; only other processes miss it
            self._lost(exc)

    def _lost(self, exc: Exception) -> None:
        self._down_until = time.monotonic() + RETRY_SECONDS
        if not self._down:
            self._down = True
            logger.warning("public cache: Redis unreachable (%s: %s); answering without it", type(exc).__name__, exc)

    def _back(self) -> None:
        if self._down:
            self._down = False
            logger.info("public cache: Redis reachable again")
