"""Courses: content missing from MongoDB is a null with an error, and an instructor's view of their
own course (students, their progress, attempts)."""

from __future__ import annotations

import httpx
from sqlalchemy import update

from learnhub.datasources.postgres.tables import courses
from learnhub.graphql.relay.node import to_global_id
from tests.support.client import gql
from tests.support.data import StoreAccess, complete_lesson, enroll, make_course
from tests.support.world import account_with_role, add_attempt, add_quiz

STUDENTS = """
query($id: ID!) {
  course(id: $id) {
    enrollments(first: 50) { totalCount nodes { user { displayName } progress { lessonId completed } } }
    quizAttempts(first: 50) { nodes { score user { displayName } } }
  }
}
"""


async def _course_with_students(http: httpx.AsyncClient, stores: StoreAccess, students: int) -> tuple[str, str]:
    token, instructor_id = await account_with_role(http, stores, "instructor")
    course_id, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=2)
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == course_id).values(instructor_id=instructor_id))
    quiz_id, _ = await add_quiz(stores, content_id)
    for _ in range(students):
        _, student_id = await account_with_role(http, stores, "student")
        await enroll(stores, student_id, course_id)
        await complete_lesson(stores, student_id, course_id, lessons[0])
        await add_attempt(stores, student_id, course_id, quiz_id)
    return token, to_global_id("Course", course_id)


async def test_instructor_sees_students_progress_and_attempts_in_constant_round_trips(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    trips = []
    for students in (1, 4):
        token, course = await _course_with_students(http, stores, students)
        body = await gql(http, STUDENTS, {"id": course}, token=token)
        data = body["data"]["course"]
        assert data["enrollments"]["totalCount"] == students
        assert all(
            n["progress"] == [{"lessonId": n["progress"][0]["lessonId"], "completed": True}]
            for n in data["enrollments"]["nodes"]
        )
        assert len(data["quizAttempts"]["nodes"]) == students
        assert all(n["user"]["displayName"] for n in data["quizAttempts"]["nodes"])
        trips.append(body["extensions"]["roundTrips"])
    # course, enrollments page, attempts page, users, progress (+1 count): the same for 1 and 4 students.
    assert trips[0] == trips[1]
    assert trips[0]["mongodb"] == 0
    assert trips[0]["postgres"] <= 6, trips


async def test_another_instructor_sees_none_of_it(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    _, course = await _course_with_students(http, stores, 1)
    other, _ = await account_with_role(http, stores, "instructor")
    body = await gql(http, STUDENTS, {"id": course}, token=other, expect_errors=True)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert body["data"]["course"] is None


async def test_missing_course_content_is_a_null_with_an_error(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    _, content_id, _ = await make_course(stores, with_content=False)

    body = await gql(
        http,
        """
        query($cid: String!) { course(contentId: $cid) { contentId tags content { title } } }
    """,
        {"cid": content_id},
        expect_errors=True,
    )

    assert body["data"]["course"] == {"contentId": content_id, "tags": ["test"], "content": None}
    [error] = body["errors"]
    assert error["path"] == ["course", "content"]
    assert error["extensions"]["code"] == "CONTENT_NOT_FOUND"
    assert error["extensions"]["contentId"] == content_id
