"""Anonymous catalogue, course, lesson and quiz reads served from the public cache: hits equal
misses, signed-in viewers and errors never touch it, content changes show at once (in every
gateway), a lost Redis costs nothing but the cache, and the answers say how HTTP caches may keep them."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from learnhub.caching.store import RETRY_SECONDS
from learnhub.embedded.base import free_port
from learnhub.embedded.redis import EmbeddedRedis
from tests.support.authoring import CREATE_QUIZ, PUBLISH_COURSE, PUBLISH_QUIZ, SAVE_QUESTION, publishable_course
from tests.support.client import gql, post_graphql
from tests.support.data import StoreAccess, unique
from tests.support.servers import GatewayFactory
from tests.support.world import account_with_role

GRAPHQL_RESPONSE = "application/graphql-response+json"
NO_ROUND_TRIPS = {"postgres": 0, "mongodb": 0}
PUBLIC = "public, max-age=60"
PRIVATE = "private, no-store"
UPDATE_LESSON = """mutation($l: ID!, $v: Int!, $t: String!) {
  updateLesson(lessonId: $l, expectedVersion: $v, input: {title: $t}) { lesson { version } errors { code } } }"""
UPDATE_TITLE = """mutation($c: ID!, $v: Int!, $t: String!) {
  updateCourseContent(courseId: $c, expectedVersion: $v, input: {title: $t}) { contentVersion errors { code } } }"""


def _name(prefix: str) -> str:
    """An operation name no other test sends, so its answers start uncached."""
    return unique(prefix).replace("-", "_")


def _catalogue() -> str:
    fields = "edges { node { contentId title } }"
    return f"query {_name('Catalogue')}($t: String) {{ courses(first: 5, filter: {{tag: $t}}) {{ {fields} }} }}"


def _cache(response: httpx.Response) -> str | None:
    value: str | None = response.json().get("extensions", {}).get("cache")
    return value


async def _read(http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    response = await post_graphql(http, query, variables or {})
    assert response.status_code == 200, response.text
    return response


async def test_the_second_anonymous_read_is_a_hit_without_round_trips(http: httpx.AsyncClient) -> None:
    query = _catalogue()
    miss = await _read(http, query)
    hit = await _read(http, query)
    assert (_cache(miss), _cache(hit)) == ("MISS", "HIT")
    assert miss.json()["extensions"]["roundTrips"] != NO_ROUND_TRIPS
    assert hit.json()["extensions"]["roundTrips"] == NO_ROUND_TRIPS
    assert hit.json()["data"] == miss.json()["data"]
    assert miss.json()["data"]["courses"]["edges"]  # the seeded catalogue
    # The data's bytes too: everything before the extensions.
    assert hit.content.split(b',"extensions":')[0] == miss.content.split(b',"extensions":')[0]
    for response in (miss, hit):
        assert response.headers["cache-control"] == PUBLIC
        assert "Authorization" in response.headers["vary"]
        assert response.headers["content-type"] == "application/json"


async def test_a_hit_is_byte_identical_in_production(prod: httpx.AsyncClient) -> None:
    """No extensions in production: the whole body of a hit is the body of the miss, and it comes
    in the media type each request asked for."""
    query = _catalogue()
    miss = await post_graphql(prod, query, {}, headers={"accept": GRAPHQL_RESPONSE})
    hit = await post_graphql(prod, query, {}, headers={"accept": GRAPHQL_RESPONSE})
    plain = await post_graphql(prod, query, {})
    assert miss.status_code == hit.status_code == plain.status_code == 200
    assert b'"extensions"' not in miss.content
    assert hit.content == miss.content == plain.content
    assert hit.headers["content-type"] == miss.headers["content-type"] == GRAPHQL_RESPONSE
    assert plain.headers["content-type"] == "application/json"


async def test_a_get_request_hits_as_a_post_does(http: httpx.AsyncClient) -> None:
    query = _catalogue()
    assert _cache(await _read(http, query)) == "MISS"
    got = await http.get("/graphql", params={"query": query}, headers={"accept": GRAPHQL_RESPONSE})
    assert got.status_code == 200
    assert (_cache(got), got.headers["content-type"], got.headers["cache-control"]) == ("HIT", GRAPHQL_RESPONSE, PUBLIC)


async def test_a_hash_only_persisted_query_hits(http: httpx.AsyncClient) -> None:
    query = _catalogue()
    apq = {"persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(query.encode()).hexdigest()}}
    first = await post_graphql(http, query, {}, extensions=apq)
    by_hash = await post_graphql(http, None, {}, extensions=apq)
    assert (_cache(first), _cache(by_hash)) == ("MISS", "HIT")
    assert by_hash.json()["data"] == first.json()["data"]


async def test_a_signed_in_viewer_is_never_served_from_the_cache(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await account_with_role(http, stores, "student")
    query = _catalogue()
    assert [_cache(await _read(http, query)) for _ in range(2)] == ["MISS", "HIT"]
    signed_in = await post_graphql(http, query, {}, token=token)
    body = signed_in.json()
    assert "cache" not in body["extensions"]
    assert body["extensions"]["roundTrips"] != NO_ROUND_TRIPS
    assert signed_in.headers["cache-control"] == PRIVATE
    # An Authorization header that is no valid token is not anonymous either.
    bad = await post_graphql(http, query, {}, headers={"authorization": "Bearer nonsense"})
    assert "cache" not in bad.json().get("extensions", {})
    assert bad.headers["cache-control"] == PRIVATE


@pytest.mark.parametrize(
    "query",
    [
        "{ me { id } }",
        "{ questions(first: 1) { totalCount } }",
        "{ courses(first: 1) { totalCount } me { id } }",
    ],
)
async def test_other_reads_are_executed_every_time_and_private(http: httpx.AsyncClient, query: str) -> None:
    for _ in range(2):
        response = await _read(http, query)
        assert "cache" not in response.json()["extensions"]
        assert response.headers["cache-control"] == PRIVATE


async def test_errors_are_not_cached(http: httpx.AsyncClient) -> None:
    query = f"query {_name('Missing')} {{ course(contentId: {unique('course:none')!r}) {{ title }} }}".replace("'", '"')
    for _ in range(2):
        response = await _read(http, query)
        body = response.json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
        assert "cache" not in body["extensions"]
        assert body["extensions"]["roundTrips"] != NO_ROUND_TRIPS
        assert response.headers["cache-control"] == PRIVATE


async def test_publishing_and_unpublishing_show_at_once(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await account_with_role(http, stores, "instructor")
    tag = unique("cachetag")
    course, version = await publishable_course(http, token)
    titled = await gql(http, UPDATE_TITLE, {"c": course, "v": version, "t": "Cached course"}, token=token)
    assert titled["data"]["updateCourseContent"]["errors"] == []
    # The tag: the course is the only one the filtered catalogue lists.
    await stores_tag(stores, course, tag)
    query = _catalogue()

    async def listed() -> list[str]:
        response = await _read(http, query, {"t": tag})
        return [edge["node"]["title"] for edge in response.json()["data"]["courses"]["edges"]]

    assert await listed() == []
    assert _cache(await _read(http, query, {"t": tag})) == "HIT"
    assert (await gql(http, PUBLISH_COURSE, {"c": course, "p": True}, token=token))["data"]["publishCourse"][
        "errors"
    ] == []
    assert await listed() == ["Cached course"]
    assert _cache(await _read(http, query, {"t": tag})) == "HIT"
    await gql(http, PUBLISH_COURSE, {"c": course, "p": False}, token=token)
    assert await listed() == []


async def stores_tag(stores: StoreAccess, course_global_id: str, tag: str) -> None:
    """Tag the course in PostgreSQL before any read of the tag is cached (no mutation sets tags)."""
    from sqlalchemy import update

    from learnhub.datasources.postgres.tables import courses
    from learnhub.graphql.relay.node import from_global_id

    _, row_id = from_global_id(course_global_id)
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == row_id).values(tags=[tag]))


async def test_editing_a_lesson_or_the_outline_shows_at_once(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await account_with_role(http, stores, "instructor")
    course, version = await publishable_course(http, token)
    await gql(http, PUBLISH_COURSE, {"c": course, "p": True}, token=token)
    outline = await gql(http, "query($c: ID!) { course(id: $c) { content { modules { lessons { contentId } } } } }",
                        {"c": course}, token=token)  # fmt: skip
    lesson = outline["data"]["course"]["content"]["modules"][0]["lessons"][0]["contentId"]
    query = f"query {_name('Lesson')}($l: ID!, $c: ID!) {{ lesson(id: $l) {{ title }} course(id: $c) {{ title }} }}"
    variables = {"l": lesson, "c": course}

    async def titles() -> tuple[str, str]:
        data = (await _read(http, query, variables)).json()["data"]
        return data["lesson"]["title"], data["course"]["title"]

    before = await titles()
    assert _cache(await _read(http, query, variables)) == "HIT"
    edited = await gql(http, UPDATE_LESSON, {"l": lesson, "v": 1, "t": "Renamed lesson"}, token=token)
    assert edited["data"]["updateLesson"]["errors"] == []
    assert await titles() == ("Renamed lesson", before[1])
    renamed = await gql(http, UPDATE_TITLE, {"c": course, "v": version, "t": "Renamed course"}, token=token)
    assert renamed["data"]["updateCourseContent"]["errors"] == []
    assert await titles() == ("Renamed lesson", "Renamed course")


async def test_quiz_edits_show_at_once(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, token)
    await gql(http, PUBLISH_COURSE, {"c": course, "p": True}, token=token)
    slug = unique("quiz")
    await gql(http, CREATE_QUIZ, {"i": {"courseId": course, "slug": slug, "title": "Check"}}, token=token)
    question = {"type": "TRUE_FALSE", "prompt": "One?", "answer": True}
    saved = await gql(http, SAVE_QUESTION, {"q": f"quiz:{slug}", "v": 1, "id": None, "i": question}, token=token)
    version = saved["data"]["saveQuestion"]["quiz"]["version"]
    published = await gql(http, PUBLISH_QUIZ, {"q": f"quiz:{slug}", "v": version, "p": True}, token=token)
    version = published["data"]["publishQuiz"]["quiz"]["version"]
    query = f'query {_name("Quiz")} {{ quiz(id: "quiz:{slug}") {{ questions {{ prompt }} }} }}'

    async def prompts() -> list[str]:
        return [q["prompt"] for q in (await _read(http, query)).json()["data"]["quiz"]["questions"]]

    assert await prompts() == ["One?"]
    assert _cache(await _read(http, query)) == "HIT"
    question = {"type": "TRUE_FALSE", "prompt": "Two?", "answer": False}
    await gql(http, SAVE_QUESTION, {"q": f"quiz:{slug}", "v": version, "id": None, "i": question}, token=token)
    assert await prompts() == ["One?", "Two?"]


async def test_a_change_made_through_one_gateway_shows_in_another(
    http: httpx.AsyncClient, stores: StoreAccess, gateway_factory: GatewayFactory
) -> None:
    """Two processes share the answers in Redis, and one's change reaches the other's memory."""
    other_server = gateway_factory()
    token, _ = await account_with_role(http, stores, "instructor")
    course, version = await publishable_course(http, token)
    await gql(http, PUBLISH_COURSE, {"c": course, "p": True}, token=token)
    query = f"query {_name('Course')}($c: ID!) {{ course(id: $c) {{ title }} }}"
    async with httpx.AsyncClient(base_url=other_server.url, timeout=30) as other:
        assert _cache(await _read(http, query, {"c": course})) == "MISS"
        assert _cache(await _read(other, query, {"c": course})) == "HIT"  # from Redis
        assert _cache(await _read(other, query, {"c": course})) == "HIT"  # from its memory
        await gql(http, UPDATE_TITLE, {"c": course, "v": version, "t": "Changed elsewhere"}, token=token)
        fresh = await _read(other, query, {"c": course})
        assert (_cache(fresh), fresh.json()["data"]["course"]["title"]) == ("MISS", "Changed elsewhere")


async def test_a_disabled_cache_executes_every_time(gateway_factory: GatewayFactory) -> None:
    server = gateway_factory(public_cache_enabled=False)
    query = _catalogue()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        for _ in range(2):
            response = await _read(client, query)
            assert "cache" not in response.json()["extensions"]
            assert response.json()["extensions"]["roundTrips"] != NO_ROUND_TRIPS
            assert response.headers["cache-control"] == PRIVATE


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis", tmp_path, free_port())
    server.spawn()
    server.wait_ready(30)
    yield server
    server.stop()


async def test_a_lost_redis_costs_the_cache_not_the_answer(
    gateway_factory: GatewayFactory, own_redis: EmbeddedRedis
) -> None:
    """Redis dies: anonymous reads are executed (the memory's answers may be stale, since the
    generation cannot be read); it comes back: answers are cached again."""
    server = gateway_factory(redis_url=own_redis.env()["REDIS_URL"], rate_limit_enabled=False)
    query = _catalogue()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        assert [_cache(await _read(client, query)) for _ in range(2)] == ["MISS", "HIT"]
        own_redis.crash()
        for _ in range(3):
            response = await _read(client, query)
            assert "errors" not in response.json()
            assert "cache" not in response.json()["extensions"]
            assert response.json()["extensions"]["roundTrips"] != NO_ROUND_TRIPS
        own_redis.restart()
        # Redis is tried again RETRY_SECONDS after the failure: poll until it is, within a bound.
        seen: list[str | None] = []
        deadline = time.monotonic() + 10 * RETRY_SECONDS
        while "HIT" not in seen and time.monotonic() < deadline:
            seen.append(_cache(await _read(client, query)))
        assert seen[-2:] == ["MISS", "HIT"]
