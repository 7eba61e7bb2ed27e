"""Operations and helpers for the authoring tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.client import gql
from tests.support.data import StoreAccess, unique

ERRORS = "errors { code field message }"
CREATE_COURSE = (
    f"mutation($i: CreateCourseInput!) {{ createCourse(input: $i) {{ course {{ id contentId published }} {ERRORS} }} }}"
)
UPDATE_CONTENT = f"""
mutation($c: ID!, $v: Int!, $i: CourseContentInput!) {{
  updateCourseContent(courseId: $c, expectedVersion: $v, input: $i) {{
    course {{ content {{ title version modules {{ id title lessons {{ contentId }} }} }} }}
    contentVersion {ERRORS} }} }}
"""
ADD_LESSON = f"""
mutation($c: ID!, $v: Int!, $i: NewLessonInput!) {{
  addLesson(courseId: $c, expectedVersion: $v, input: $i) {{
    lesson {{ contentId title version }} contentVersion {ERRORS} }} }}
"""
PUBLISH_COURSE = f"""
mutation($c: ID!, $p: Boolean!) {{
  publishCourse(courseId: $c, published: $p) {{ course {{ published }} contentVersion {ERRORS} }} }}
"""
CREATE_QUIZ = (
    f"mutation($i: CreateQuizInput!) {{ createQuiz(input: $i) {{ quiz {{ contentId version published }} {ERRORS} }} }}"
)
SAVE_QUESTION = f"""
mutation($q: ID!, $v: Int!, $id: String, $i: QuestionInput!) {{
  saveQuestion(quizId: $q, expectedVersion: $v, questionId: $id, input: $i) {{
    quiz {{ version questions {{ contentId }} }} {ERRORS} }} }}
"""
PUBLISH_QUIZ = f"""
mutation($q: ID!, $v: Int!, $p: Boolean!) {{
  publishQuiz(quizId: $q, expectedVersion: $v, published: $p) {{ quiz {{ version published }} {ERRORS} }} }}
"""
CONTENT = (
    "query($c: ID!) { course(id: $c) { published content { title version modules { id lessons { contentId } } } } }"
)


async def create_course(http: httpx.AsyncClient, token: str, **fields: Any) -> dict[str, Any]:
    data = {"slug": unique("c"), "title": "Designing APIs"} | fields
    payload: dict[str, Any] = (await gql(http, CREATE_COURSE, {"i": data}, token=token))["data"]["createCourse"]
    return payload


async def course_with_module(http: httpx.AsyncClient, token: str) -> tuple[str, int]:
    """A new course with one empty module `m1`: (course id, content version)."""
    course = (await create_course(http, token))["course"]["id"]
    body = await gql(
        http, UPDATE_CONTENT, {"c": course, "v": 1, "i": {"modules": [{"id": "m1", "title": "Basics"}]}}, token=token
    )
    version: int = body["data"]["updateCourseContent"]["contentVersion"]
    return course, version


async def add_lesson(
    http: httpx.AsyncClient, token: str, course: str, version: int, slug: str, **fields: Any
) -> dict[str, Any]:
    """`addLesson` of lesson `slug` to module `m1`: the payload."""
    data = {"slug": slug, "moduleId": "m1", "title": f"About {slug}"} | fields
    body = await gql(http, ADD_LESSON, {"c": course, "v": version, "i": data}, token=token)
    payload: dict[str, Any] = body["data"]["addLesson"]
    return payload


async def publishable_course(http: httpx.AsyncClient, token: str) -> tuple[str, int]:
    """A new course with one lesson in module `m1` (so it may be published): (course id, content version)."""
    course, version = await course_with_module(http, token)
    added = await add_lesson(http, token, course, version, unique("lesson"))
    assert added["errors"] == [], added
    return course, int(added["contentVersion"])


async def counts(stores: StoreAccess, prefix: str) -> tuple[int, int, int]:
    """Course rows, content docs and lesson docs whose content ids start with `prefix`."""
    from sqlalchemy import func, select

    from learnhub.datasources.postgres.tables import courses

    async with stores.engine.connect() as conn:
        rows = await conn.scalar(select(func.count()).where(courses.c.content_id.like(f"course:{prefix}%")))
    content = await stores.db["course_content"].count_documents({"_id": {"$regex": f"^course:{prefix}"}})
    lessons = await stores.db["lesson_content"].count_documents({"_id": {"$regex": f"^lesson:{prefix}"}})
    return int(rows or 0), content, lessons
