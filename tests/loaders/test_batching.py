"""The per-request DataLoader: one batch per tick, a cache, and failures and cancellations kept to their
callers, in process and in a live request."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from learnhub.loaders.batching import DataLoader
from tests.support.client import gql
from tests.support.data import StoreAccess, enroll, make_course, register, user_id_of


class Store:
    """Stands for a store query: records each batch it is sent; key 13 has no record, "bad" keys fail."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.release.set()

    async def fetch(self, keys: list[int]) -> list[str | BaseException | None]:
        self.batches.append(list(keys))
        self.started.set()
        await self.release.wait()
        if any(key < 0 for key in keys):
            raise ConnectionError("store went away")
        return [None if key == 13 else ValueError(f"bad {key}") if key >= 100 else f"v{key}" for key in keys]


async def test_keys_asked_for_in_one_tick_are_one_batch_and_then_cached() -> None:
    store = Store()
    loader: DataLoader[int, str | None] = DataLoader(store.fetch)
    one, many, again = await asyncio.gather(loader.load(1), loader.load_many([2, 1, 13]), loader.load(2))
    assert (one, many, again) == ("v1", ["v2", "v1", None], "v2")
    assert store.batches == [[1, 2, 13]]
    assert await loader.load_many([13, 1]) == [None, "v1"]
    assert await loader.load_many([]) == []
    assert store.batches == [[1, 2, 13]]


async def test_batches_are_split_at_the_size_bound() -> None:
    store = Store()
    loader: DataLoader[int, str | None] = DataLoader(store.fetch, max_batch_size=2)
    assert await loader.load_many([1, 2, 3, 4, 5]) == ["v1", "v2", "v3", "v4", "v5"]
    assert store.batches == [[1, 2], [3, 4], [5]]


async def test_a_keys_error_fails_only_its_callers() -> None:
    store = Store()
    loader: DataLoader[int, str | None] = DataLoader(store.fetch)
    good, bad, both = await asyncio.gather(
        loader.load(1), loader.load(100), loader.load_many([1, 100]), return_exceptions=True
    )
    assert good == "v1"
    assert isinstance(bad, ValueError)
    assert isinstance(both, ValueError)


async def test_a_failed_batch_fails_its_keys_callers_not_later_batches() -> None:
    store = Store()
    loader: DataLoader[int, str | None] = DataLoader(store.fetch)
    with pytest.raises(ConnectionError):
        await loader.load_many([1, -1])
    assert await loader.load(2) == "v2"


async def test_a_cancelled_caller_does_not_cancel_another_waiting_for_the_same_key() -> None:
    store = Store()
    store.release.clear()
    loader: DataLoader[int, str | None] = DataLoader(store.fetch)
    first = asyncio.ensure_future(loader.load(7))
    second = asyncio.ensure_future(loader.load_many([7, 8]))
    await store.started.wait()  # the batch is at the store
    first.cancel()
    store.release.set()
    assert await second == ["v7", "v8"]
    assert first.cancelled()


async def test_primed_values_are_served_without_a_batch_and_never_replace_loaded_ones() -> None:
    store = Store()
    loader: DataLoader[int, str | None] = DataLoader(store.fetch)
    assert await loader.load(1) == "v1"
    loader.prime(1, "other")  # already loaded: the store's answer stays
    loader.prime(2, "primed")
    loader.prime(3, None)  # a known miss
    assert await loader.load_many([1, 2, 3]) == ["v1", "primed", None]
    assert store.batches == [[1]]


async def test_a_forbidden_field_does_not_cancel_siblings_sharing_a_loader(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    """graphql-core cancels a failed field's siblings; a sibling waiting on the same loader batch
    as another field must not take that field down with it (it used to end in an HTTP 500)."""
    token, _ = await register(http)
    course_id, _, _ = await make_course(stores)
    await enroll(stores, user_id_of(token), course_id)
    enrollment = (await gql(http, "{ me { enrollments { nodes { id } } } }", token=token))["data"]["me"]
    query = """query($id: ID!) { node(id: $id) { ... on Enrollment {
      course { lessonCount enrollments { totalCount } } lessonCount } } }"""
    body = await gql(http, query, {"id": enrollment["enrollments"]["nodes"][0]["id"]}, token=token, expect_errors=True)
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["data"]["node"]["lessonCount"] == 6
