"""The course outline: new content versions in payloads, stale adds that write nothing, module
summaries, publishing only with lessons, and removed lessons added back under their slug."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from learnhub.authoring.validation import MAX_TITLE
from learnhub.graphql.relay.node import from_global_id
from tests.support.authoring import (
    ADD_LESSON,
    CONTENT,
    ERRORS,
    PUBLISH_COURSE,
    UPDATE_CONTENT,
    add_lesson,
    course_with_module,
)
from tests.support.client import gql
from tests.support.data import StoreAccess, complete_lesson, enroll, unique
from tests.support.world import account_with_role

CREATE = f"""mutation($i: CreateCourseInput!) {{
  createCourse(input: $i) {{ course {{ id content {{ version }} }} contentVersion {ERRORS} }} }}"""
RETITLE = f"""mutation($c: ID!, $v: Int!, $t: String!) {{
  updateCourseContent(courseId: $c, expectedVersion: $v, input: {{title: $t}}) {{
    course {{ content {{ title version }} }} contentVersion {ERRORS} }} }}"""
EDIT_LESSON = f"""mutation($l: ID!, $v: Int!) {{
  updateLesson(lessonId: $l, expectedVersion: $v, input: {{title: "Edited"}}) {{
    lesson {{ version }} contentVersion {ERRORS} }} }}"""
PROGRESS = "query($c: ID!) { course(id: $c) { content { modules { lessons { contentId progress { completed } } } } } }"


def codes(payload: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


def outline(*lesson_ids: str, summary: str = "") -> dict[str, Any]:
    return {"modules": [{"id": "m1", "title": "Basics", "summary": summary, "lessonIds": list(lesson_ids)}]}


async def content_id_of(http: httpx.AsyncClient, token: str, course: str) -> str:
    body = await gql(http, "query($c: ID!) { course(id: $c) { contentId } }", {"c": course}, token=token)
    content_id: str = body["data"]["course"]["contentId"]
    return content_id


async def set_outline(http: httpx.AsyncClient, token: str, course: str, version: int, data: dict[str, Any]) -> int:
    """`updateCourseContent` that must succeed: the new content version."""
    payload = (await gql(http, UPDATE_CONTENT, {"c": course, "v": version, "i": data}, token=token))["data"][
        "updateCourseContent"]  # fmt: skip
    assert payload["errors"] == [], payload
    return int(payload["contentVersion"])


async def test_payloads_carry_the_new_content_version(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    created = (await gql(http, CREATE, {"i": {"slug": unique("cv"), "title": "T"}}, token=instructor))["data"]
    course = created["createCourse"]["course"]["id"]
    assert created["createCourse"]["contentVersion"] == created["createCourse"]["course"]["content"]["version"] == 1

    body = await gql(http, RETITLE, {"c": course, "v": 1, "t": "Renamed"}, token=instructor)
    payload = body["data"]["updateCourseContent"]
    assert payload["contentVersion"] == 2
    assert payload["course"]["content"] == {"title": "Renamed", "version": 2}
    # course.content is the written document: the update is the only MongoDB command.
    assert body["extensions"]["roundTrips"]["mongodb"] == 1

    version = await set_outline(http, instructor, course, 2, outline())
    for _ in range(3):  # each add goes on from the version the one before returned
        added = await add_lesson(http, instructor, course, version, unique("lesson"))
        assert added["errors"] == []
        assert added["contentVersion"] == version + 1
        version = added["contentVersion"]
    content = (await gql(http, CONTENT, {"c": course}, token=instructor))["data"]["course"]["content"]
    assert content["version"] == version

    lesson = content["modules"][0]["lessons"][0]["contentId"]
    edited = (await gql(http, EDIT_LESSON, {"l": lesson, "v": 1}, token=instructor))["data"]["updateLesson"]
    assert edited == {"lesson": {"version": 2}, "contentVersion": None, "errors": []}


async def test_a_stale_add_lesson_writes_nothing(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, version = await course_with_module(http, instructor)
    content_id = await content_id_of(http, instructor, course)
    newer = await gql(http, RETITLE, {"c": course, "v": version, "t": "Saved elsewhere"}, token=instructor)
    assert newer["data"]["updateCourseContent"]["errors"] == []
    before = await stores.db["course_content"].find_one({"_id": content_id})
    slug = unique("stale")
    # The module is checked on the version sent: a stale version is a CONFLICT whatever the module.
    for module in ("m1", "no-such-module"):
        data = {"slug": slug, "moduleId": module, "title": "Late"}
        body = await gql(http, ADD_LESSON, {"c": course, "v": version, "i": data}, token=instructor)
        assert codes(body["data"]["addLesson"]) == [("CONFLICT", "expectedVersion")]
        assert body["data"]["addLesson"]["contentVersion"] is None
        # The read that found the version stale, and nothing else: no write to take back.
        assert body["extensions"]["roundTrips"]["mongodb"] == 1
    assert await stores.db["lesson_content"].count_documents({"_id": f"lesson:{slug}"}) == 0
    assert await stores.db["course_content"].find_one({"_id": content_id}) == before


async def test_module_summaries_are_limited_like_titles(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, version = await course_with_module(http, instructor)
    too_long = outline(summary="s" * (MAX_TITLE + 1))
    body = await gql(http, UPDATE_CONTENT, {"c": course, "v": version, "i": too_long}, token=instructor)
    assert codes(body["data"]["updateCourseContent"]) == [("INVALID", "modules[0].summary")]
    content = (await gql(http, CONTENT, {"c": course}, token=instructor))["data"]["course"]["content"]
    assert content["version"] == version
    assert await set_outline(http, instructor, course, version, outline(summary="s" * MAX_TITLE)) == version + 1


async def test_a_course_is_published_only_with_lessons(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, version = await course_with_module(http, instructor)

    async def publish(published: bool) -> dict[str, Any]:
        body = await gql(http, PUBLISH_COURSE, {"c": course, "p": published}, token=instructor)
        payload: dict[str, Any] = body["data"]["publishCourse"]
        return payload

    async def is_published() -> bool:
        return bool((await gql(http, CONTENT, {"c": course}, token=instructor))["data"]["course"]["published"])

    refused = await publish(True)
    assert (refused["course"], codes(refused)) == (None, [("INVALID", "published")])
    assert not await is_published()

    added = await add_lesson(http, instructor, course, version, unique("lesson"))
    assert (await publish(True)) == {"course": {"published": True}, "contentVersion": None, "errors": []}
    assert await is_published()

    # The last lesson leaves the outline: unpublishing stays possible, publishing again does not.
    await set_outline(http, instructor, course, added["contentVersion"], outline())
    assert (await publish(False))["course"] == {"published": False}
    assert codes(await publish(True)) == [("INVALID", "published")]
    assert not await is_published()


async def test_a_removed_lesson_is_added_back_under_its_slug(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, version = await course_with_module(http, instructor)
    slug = unique("back")
    lesson_id = f"lesson:{slug}"
    first = await add_lesson(http, instructor, course, version, slug, title="First")
    assert first["lesson"] == {"contentId": lesson_id, "title": "First", "version": 1}
    published = await gql(http, PUBLISH_COURSE, {"c": course, "p": True}, token=instructor)
    assert published["data"]["publishCourse"]["errors"] == []

    student, student_id = await account_with_role(http, stores, "student")
    course_row = uuid.UUID(from_global_id(course)[1])
    await enroll(stores, student_id, course_row)
    await complete_lesson(stores, student_id, course_row, lesson_id)

    version = await set_outline(http, instructor, course, first["contentVersion"], outline())
    again = await add_lesson(http, instructor, course, version, slug, title="Second")
    assert again["errors"] == []
    # Same id; the version goes on from the removed lesson's, so its old editors get CONFLICT.
    assert again["lesson"] == {"contentId": lesson_id, "title": "Second", "version": 2}
    assert again["contentVersion"] == version + 1
    stored = await stores.db["lesson_content"].find({"_id": lesson_id}).to_list()
    assert [(d["course_id"], d["title"]) for d in stored] == [(await content_id_of(http, instructor, course), "Second")]
    stale_edit = (await gql(http, EDIT_LESSON, {"l": lesson_id, "v": 1}, token=instructor))["data"]["updateLesson"]
    assert codes(stale_edit) == [("CONFLICT", "expectedVersion")]

    # Progress is keyed on the lesson id, so the student's completion counts again.
    lessons = (await gql(http, PROGRESS, {"c": course}, token=student))["data"]["course"]["content"]["modules"][0][
        "lessons"]  # fmt: skip
    assert lessons == [{"contentId": lesson_id, "progress": {"completed": True}}]


async def test_a_slug_still_in_an_outline_or_of_another_course_stays_taken(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, version = await course_with_module(http, instructor)
    other, other_version = await course_with_module(http, instructor)
    listed, orphan = unique("listed"), unique("orphan")
    added = await add_lesson(http, instructor, course, version, listed, title="Listed")
    version = added["contentVersion"]
    other_added = await add_lesson(http, instructor, other, other_version, orphan, title="Orphan")
    await set_outline(http, instructor, other, other_added["contentVersion"], outline())  # `orphan` leaves it
    content_id = await content_id_of(http, instructor, course)
    lessons = {"_id": {"$in": [f"lesson:{listed}", f"lesson:{orphan}"]}}
    lessons_before = await stores.db["lesson_content"].find(lessons, sort=[("_id", 1)]).to_list()
    content_before = await stores.db["course_content"].find_one({"_id": content_id})

    for slug in (listed, orphan):  # in this course's outline; another course's lesson (no module names it)
        taken = await add_lesson(http, instructor, course, version, slug, title="Taken")
        assert (taken["lesson"], codes(taken)) == (None, [("SLUG_TAKEN", "slug")])
    assert await stores.db["lesson_content"].find(lessons, sort=[("_id", 1)]).to_list() == lessons_before
    assert await stores.db["course_content"].find_one({"_id": content_id}) == content_before
