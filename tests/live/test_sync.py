"""changesSince: paging without gaps or repeats, tombstones, the viewer's own changes only."""

from __future__ import annotations

from typing import Any

import httpx

from learnhub.graphql.relay.node import to_global_id
from learnhub.live.sync import Position, encode_cursor
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register

CHANGES = """query($c: String, $n: Int) { changesSince(cursor: $c, first: $n) {
  enrollments { id status } lessonProgress { lessonId position completed }
  quizAttempts { id } achievements { code } courseVersions { courseId version }
  tombstones { kind id } cursor hasMore } }"""
ENROLL = "mutation($c: ID!) { enroll(courseId: $c) { errors { code } } }"
UNENROLL = "mutation($c: ID!) { unenroll(courseId: $c) { errors { code } } }"
PROGRESS = "mutation($i: LessonProgressInput!) { updateLessonProgress(input: $i) { errors { code } } }"


async def _changes(http: httpx.AsyncClient, token: str, cursor: str | None, first: int = 100) -> dict[str, Any]:
    body = await gql(http, CHANGES, {"c": cursor, "n": first}, token=token)
    page: dict[str, Any] = body["data"]["changesSince"]
    return page


async def _all_pages(http: httpx.AsyncClient, token: str, cursor: str | None, first: int) -> tuple[list[Any], str]:
    items: list[Any] = []
    while True:
        page = await _changes(http, token, cursor, first)
        batch = [("p", p["lessonId"], p["position"]) for p in page["lessonProgress"]]
        batch += [("e", e["id"], e["status"]) for e in page["enrollments"]]
        batch += [("v", v["courseId"], v["version"]) for v in page["courseVersions"]]
        batch += [("t", t["kind"], t["id"]) for t in page["tombstones"]]
        assert len(batch) <= first
        items += batch
        cursor = page["cursor"]
        if not page["hasMore"]:
            return items, cursor


async def _enroll(http: httpx.AsyncClient, token: str, stores: StoreAccess, lessons: int) -> tuple[str, list[str]]:
    course_id, _, lesson_ids = await make_course(stores, modules=1, lessons_per_module=lessons)
    course = to_global_id("Course", course_id)
    assert (await gql(http, ENROLL, {"c": course}, token=token))["data"]["enroll"]["errors"] == []
    return course, lesson_ids


async def test_a_week_offline_catches_up_in_pages_without_gaps_or_repeats(
    http_a: httpx.AsyncClient, stores: StoreAccess
) -> None:
    token, _ = await register(http_a)
    _, lessons = await _enroll(http_a, token, stores, lessons=7)
    for position, lesson in enumerate(lessons):
        variables = {"i": {"lessonId": lesson, "position": position + 1, "completed": False}}
        assert (await gql(http_a, PROGRESS, variables, token=token))["data"]["updateLessonProgress"]["errors"] == []
    everything, _ = await _all_pages(http_a, token, None, 100)
    paged, cursor = await _all_pages(http_a, token, None, 3)
    assert sorted(paged) == sorted(everything)
    assert len(paged) == len(set(paged))
    assert [i for i in paged if i[0] == "p"] == [("p", lesson, n + 1) for n, lesson in enumerate(lessons)]
    assert len([i for i in paged if i[0] == "e"]) == 1
    # Nothing new: the cursor answers an empty page; one more change, and only it.
    assert (await _all_pages(http_a, token, cursor, 3))[0] == []
    variables = {"i": {"lessonId": lessons[0], "position": 99, "completed": True}}
    await gql(http_a, PROGRESS, variables, token=token)
    since, _ = await _all_pages(http_a, token, cursor, 3)
    assert [i for i in since if i[0] == "p"] == [("p", lessons[0], 99)]


async def test_leaving_a_course_and_its_unpublishing_come_as_tombstones(
    http_a: httpx.AsyncClient, stores: StoreAccess
) -> None:
    token, _ = await register(http_a)
    await _enroll(http_a, token, stores, lessons=1)
    left, _ = await _enroll(http_a, token, stores, lessons=1)
    _, cursor = await _all_pages(http_a, token, None, 100)
    assert (await gql(http_a, UNENROLL, {"c": left}, token=token))["data"]["unenroll"]["errors"] == []
    since, _ = await _all_pages(http_a, token, cursor, 100)
    assert [i[:2] for i in since] == [("t", "ENROLLMENT")]


async def test_another_students_changes_never_appear(http_a: httpx.AsyncClient, stores: StoreAccess) -> None:
    mine, _ = await register(http_a)
    theirs, _ = await register(http_a)
    _, cursor = await _all_pages(http_a, mine, None, 100)
    _, lessons = await _enroll(http_a, theirs, stores, lessons=1)
    await gql(http_a, PROGRESS, {"i": {"lessonId": lessons[0], "position": 1, "completed": True}}, token=theirs)
    since, _ = await _all_pages(http_a, mine, cursor, 100)
    assert since == []


async def test_bad_cursors_and_page_sizes_are_refused_with_a_code(http_a: httpx.AsyncClient) -> None:
    token, _ = await register(http_a)
    for variables in ({"c": "not-a-cursor", "n": 10}, {"c": None, "n": 0}, {"c": None, "n": 501}):
        body = await gql(http_a, CHANGES, variables, token=token, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    body = await gql(http_a, CHANGES, {"c": None, "n": 10}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_cursors_round_trip() -> None:
    from datetime import UTC, datetime

    from learnhub.live.sync import decode_cursor

    position = Position(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), 2, "0190-abc")
    assert decode_cursor(encode_cursor(position)) == position
