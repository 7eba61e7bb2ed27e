"""Lesson progress: monotonic under concurrent devices, course completion, `myCourses`."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from learnhub.datasources.postgres.tables import lesson_progress
from learnhub.graphql.relay.node import to_global_id
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register, user_id_of

ENROLL = "mutation($c: ID!) { enroll(courseId: $c) { errors { code } } }"
PROGRESS = """
mutation($i: LessonProgressInput!) {
  updateLessonProgress(input: $i) {
    progress { lessonId position completed }
    enrollment { status completionPercent }
    courseCompleted
    errors { code field }
  }
}
"""
MY_COURSES = """
{ myCourses(first: 20) { totalCount nodes {
    status lessonCount completedLessonCount completionPercent continueLesson { contentId }
    course { contentId } } } }
"""


async def _enrolled(http: httpx.AsyncClient, stores: StoreAccess, lessons: int = 3) -> tuple[str, list[str]]:
    token, _ = await register(http)
    course_id, _, lesson_ids = await make_course(stores, modules=1, lessons_per_module=lessons)
    assert (await gql(http, ENROLL, {"c": to_global_id("Course", course_id)}, token=token))["data"]["enroll"][
        "errors"
    ] == []
    return token, lesson_ids


async def _progress(
    http: httpx.AsyncClient, token: str, lesson: str, position: float = 0, completed: bool = False
) -> dict[str, Any]:
    variables = {"i": {"lessonId": lesson, "position": position, "completed": completed}}
    body = await gql(http, PROGRESS, variables, token=token)
    payload: dict[str, Any] = body["data"]["updateLessonProgress"]
    return payload


async def test_progress_never_moves_back(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, lessons = await _enrolled(http, stores)
    assert (await _progress(http, token, lessons[0], 30))["progress"]["position"] == 30
    assert (await _progress(http, token, lessons[0], 10))["progress"] == {
        "lessonId": lessons[0],
        "position": 30,
        "completed": False,
    }
    assert (await _progress(http, token, lessons[0], 40, completed=True))["progress"]["completed"] is True
    assert (await _progress(http, token, lessons[0], 5, completed=False))["progress"] == {
        "lessonId": lessons[0],
        "position": 40,
        "completed": True,
    }


async def test_two_devices_racing_end_at_the_furthest_position(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, lessons = await _enrolled(http, stores)
    positions = [random.uniform(0, 600) for _ in range(24)]
    results = await asyncio.gather(*(_progress(http, token, lessons[1], p) for p in positions))
    assert all(r["errors"] == [] for r in results)
    final = await _progress(http, token, lessons[1], 0)
    assert final["progress"]["position"] == max(positions)
    async with stores.engine.connect() as conn:
        rows = await conn.scalar(
            select(func.count()).where(
                lesson_progress.c.user_id == user_id_of(token), lesson_progress.c.lesson_content_id == lessons[1]
            )
        )
    assert rows == 1


async def test_completing_the_last_lesson_completes_the_course_once(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    token, lessons = await _enrolled(http, stores, lessons=2)
    first = await _progress(http, token, lessons[0], 1, completed=True)
    assert first["enrollment"] == {"status": "ACTIVE", "completionPercent": 50.0}
    assert first["courseCompleted"] is False
    last = await _progress(http, token, lessons[1], 1, completed=True)
    assert last["courseCompleted"] is True
    assert last["enrollment"] == {"status": "COMPLETED", "completionPercent": 100.0}
    again = await _progress(http, token, lessons[1], 1, completed=True)
    assert again["courseCompleted"] is False


async def test_bad_progress_is_refused_and_writes_nothing(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, lessons = await _enrolled(http, stores)
    outsider, _ = await register(http)
    cases = [
        (token, {"lessonId": lessons[0], "position": -1}, "INVALID", "position"),
        (token, {"lessonId": lessons[0], "position": 1e9}, "INVALID", "position"),
        (token, {"lessonId": f"lesson:{uuid.uuid4()}"}, "NOT_FOUND", "lessonId"),
        (outsider, {"lessonId": lessons[0], "position": 3}, "NOT_ENROLLED", "lessonId"),
    ]
    for who, data, code, field in cases:
        body = await gql(http, PROGRESS, {"i": data}, token=who)
        payload = body["data"]["updateLessonProgress"]
        assert payload["errors"] == [{"code": code, "field": field}]
        assert payload["progress"] is None
    async with stores.engine.connect() as conn:
        count = await conn.scalar(select(func.count()).where(lesson_progress.c.lesson_content_id.in_(lessons)))
    assert count == 0


async def test_my_courses_shows_completion_and_where_to_continue(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, lessons = await _enrolled(http, stores, lessons=4)
    mine = (await gql(http, MY_COURSES, token=token))["data"]["myCourses"]["nodes"][0]
    assert mine["completionPercent"] == 0.0
    assert mine["continueLesson"] == {"contentId": lessons[0]}

    await _progress(http, token, lessons[0], 1, completed=True)
    await _progress(http, token, lessons[2], 12)
    mine = (await gql(http, MY_COURSES, token=token))["data"]["myCourses"]["nodes"][0]
    assert (mine["lessonCount"], mine["completedLessonCount"], mine["completionPercent"]) == (4, 1, 25.0)
    assert mine["continueLesson"] == {"contentId": lessons[2]}  # the started one, not the next in order


async def test_my_courses_round_trips_do_not_grow_with_enrollments(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    token, _ = await register(http)
    trips = []
    for total in (1, 4):
        while (await gql(http, "{ myCourses { totalCount } }", token=token))["data"]["myCourses"]["totalCount"] < total:
            course_id, _, lessons = await make_course(stores)
            await gql(http, ENROLL, {"c": to_global_id("Course", course_id)}, token=token)
            await _progress(http, token, lessons[0], 5)
        body = await gql(http, MY_COURSES, token=token)
        assert len(body["data"]["myCourses"]["nodes"]) == total
        trips.append(body["extensions"]["roundTrips"])
    assert trips[0] == trips[1]
