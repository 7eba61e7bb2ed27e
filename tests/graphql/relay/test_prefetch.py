"""Prefetch, through the student dashboard: one nested query across PostgreSQL and MongoDB, constant
round trips."""

from __future__ import annotations

import httpx
import pytest

from tests.support.client import gql
from tests.support.data import StoreAccess, complete_lesson, enroll, make_course, register, user_id_of

DASHBOARD = """
query Dashboard($n: Int!) {
  me {
    enrollments(first: $n) {
      nodes { course { contentId content { modules { lessons { contentId title progress { completed } } } } } }
    }
  }
}
"""


async def _student_with(
    http: httpx.AsyncClient, stores: StoreAccess, n: int
) -> tuple[str, dict[str, list[str]], set[str]]:
    token, _ = await register(http)
    user_id = user_id_of(token)
    lessons_of: dict[str, list[str]] = {}
    completed: set[str] = set()
    for _ in range(n):
        row_id, content_id, lesson_ids = await make_course(stores)
        await enroll(stores, user_id, row_id)
        await complete_lesson(stores, user_id, row_id, lesson_ids[0])
        lessons_of[content_id] = lesson_ids
        completed.add(lesson_ids[0])
    return token, lessons_of, completed


@pytest.mark.parametrize("n", [2, 20])
async def test_dashboard_returns_every_course_lesson_and_progress(
    http: httpx.AsyncClient, stores: StoreAccess, n: int
) -> None:
    token, lessons_of, completed = await _student_with(http, stores, n)

    body = await gql(http, DASHBOARD, {"n": n}, token=token)

    nodes = body["data"]["me"]["enrollments"]["nodes"]
    assert len(nodes) == n
    seen = {}
    for node in nodes:
        course = node["course"]
        lessons = [lesson for module in course["content"]["modules"] for lesson in module["lessons"]]
        assert [lesson["contentId"] for lesson in lessons] == lessons_of[course["contentId"]]
        for lesson in lessons:
            seen[lesson["contentId"]] = lesson["progress"]
    assert {lid for lid, p in seen.items() if p is not None and p["completed"]} == completed
    assert all(p is None for lid, p in seen.items() if lid not in completed)


async def test_dashboard_round_trips_do_not_grow_with_the_list(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    trips = {}
    for n in (2, 20):
        token, _, _ = await _student_with(http, stores, n)
        body = await gql(http, DASHBOARD, {"n": n}, token=token)
        assert len(body["data"]["me"]["enrollments"]["nodes"]) == n
        trips[n] = body["extensions"]["roundTrips"]

    assert trips[2] == trips[20]
    # me, enrollments, courses, progress in PostgreSQL; course content and lessons in MongoDB.
    assert trips[20]["postgres"] + trips[20]["mongodb"] <= 6
    assert trips[20] == {"postgres": 4, "mongodb": 2}
