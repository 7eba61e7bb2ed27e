"""The in-process level's bounds, in process; the generation against the session's Redis."""

from __future__ import annotations

from learnhub.caching.invalidation import GENERATION_KEY, content_changed
from learnhub.caching.store import Answer, LocalAnswers, Lookup, PublicCache
from learnhub.core.settings import Settings
from learnhub.datasources.stores import Stores
from tests.support.data import unique


def _answer(size: int, expires_at: float = 100.0) -> Answer:
    return Answer(b"1", expires_at, b"x" * size)


def test_local_answers_are_bounded_by_entries() -> None:
    local = LocalAnswers(max_entries=2, max_bytes=1000)
    local.put("a", _answer(1))
    local.put("b", _answer(1))
    assert local.get("a", 0) is not None  # now the most recently used
    local.put("c", _answer(1))
    assert (local.get("a", 0) is not None, local.get("b", 0), local.get("c", 0) is not None) == (True, None, True)


def test_local_answers_are_bounded_by_bytes() -> None:
    local = LocalAnswers(max_entries=10, max_bytes=100)
    local.put("a", _answer(60))
    local.put("b", _answer(30))
    local.put("a", _answer(20))  # replaced, counted once
    assert (len(local), local.size) == (2, 50)
    local.put("c", _answer(70))
    assert (local.get("b", 0), len(local), local.size) == (None, 2, 90)


def test_local_answers_expire() -> None:
    local = LocalAnswers()
    local.put("a", _answer(10, expires_at=5.0))
    assert local.get("a", 4.9) is not None
    assert local.get("a", 5.0) is None
    assert (len(local), local.size) == (0, 0)


async def test_an_answer_read_before_a_change_is_stored_where_no_one_looks(
    live_stores: Stores, settings: Settings
) -> None:
    """The race: a request reads old content, the change commits, then the request stores its answer."""
    cache = PublicCache(live_stores.redis, settings)
    query = f"query {unique('Race').replace('-', '_')} {{ courses {{ totalCount }} }}"
    before = await cache.lookup(query, None, {})
    assert before.data is None
    assert before.generation is not None
    await content_changed(live_stores.redis)
    await cache.store(before, b'{"old":true}')
    after = await cache.lookup(query, None, {})
    assert after.generation != before.generation
    assert after.data is None
    # Another process (a cache with an empty memory) finds nothing either.
    assert (await PublicCache(live_stores.redis, settings).lookup(query, None, {})).data is None


async def test_an_answer_is_shared_through_redis(live_stores: Stores, settings: Settings) -> None:
    query = f"query {unique('Shared').replace('-', '_')} {{ courses {{ totalCount }} }}"
    first = PublicCache(live_stores.redis, settings)
    lookup = await first.lookup(query, None, {"a": 1})
    await first.store(lookup, b'{"courses":{"totalCount":3}}')
    other = await PublicCache(live_stores.redis, settings).lookup(query, None, {"a": 1})
    assert other == Lookup(lookup.digest, lookup.generation, b'{"courses":{"totalCount":3}}')


async def test_a_lost_generation_never_comes_back(live_stores: Stores, settings: Settings) -> None:
    """Redis restarted empty: the counter starts from the clock, past every generation before."""
    cache = PublicCache(live_stores.redis, settings)
    before = (await cache.lookup("{ courses { totalCount } }", None, {})).generation
    assert before is not None
    await live_stores.redis.delete(GENERATION_KEY)
    after = (await cache.lookup("{ courses { totalCount } }", None, {})).generation
    assert after is not None
    assert int(after) > int(before)
