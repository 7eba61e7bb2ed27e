"""Instructors create and edit courses and lessons; stale writes conflict; bad input changes nothing.
The outline end to end and its pure rules in process, and a gateway that dies mid-creation."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from learnhub.authoring.courses import Refused, outline_lesson_ids, outline_problems, stale, with_lesson_appended
from learnhub.authoring.validation import MAX_TITLE
from learnhub.core.crash import EXIT_CODE
from learnhub.core.settings import Settings
from learnhub.embedded import EmbeddedCluster
from learnhub.graphql.relay.node import from_global_id
from tests.support.authoring import (
    ADD_LESSON,
    CONTENT,
    CREATE_COURSE,
    ERRORS,
    PUBLISH_COURSE,
    UPDATE_CONTENT,
    add_lesson,
    counts,
    course_with_module,
    create_course,
)
from tests.support.client import gql, post_graphql
from tests.support.crash import crashing_gateway
from tests.support.data import StoreAccess, complete_lesson, enroll, unique
from tests.support.world import account_with_role


async def test_create_course_writes_both_stores_and_stays_hidden_until_published(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    student, _ = await account_with_role(http, stores, "student")
    slug = unique("api")
    created = await create_course(http, instructor, slug=slug, tags=["http"], level="ADVANCED")
    assert created["errors"] == []
    course = created["course"]
    assert (course["contentId"], course["published"]) == (f"course:{slug}", False)
    assert await counts(stores, slug) == (1, 1, 0)

    mine = (await gql(http, CONTENT, {"c": course["id"]}, token=instructor))["data"]["course"]
    assert mine["content"] == {"title": "Designing APIs", "version": 1, "modules": []}
    hidden = await gql(http, CONTENT, {"c": course["id"]}, token=student, expect_errors=True)
    assert hidden["data"]["course"] is None
    assert [e["extensions"]["code"] for e in hidden["errors"]] == ["NOT_FOUND"]

    # A course opens with at least one lesson.
    outline = {"modules": [{"id": "m1", "title": "Basics"}]}
    body = await gql(http, UPDATE_CONTENT, {"c": course["id"], "v": 1, "i": outline}, token=instructor)
    version = body["data"]["updateCourseContent"]["contentVersion"]
    assert (await add_lesson(http, instructor, course["id"], version, unique("lesson")))["errors"] == []
    published = await gql(http, PUBLISH_COURSE, {"c": course["id"], "p": True}, token=instructor)
    assert published["data"]["publishCourse"]["course"] == {"published": True}
    assert (await gql(http, CONTENT, {"c": course["id"]}, token=student))["data"]["course"]["published"] is True

    again = await create_course(http, instructor, slug=slug)
    assert again["course"] is None
    assert [(e["code"], e["field"]) for e in again["errors"]] == [("SLUG_TAKEN", "slug")]
    assert await counts(stores, slug) == (1, 1, 0)


async def test_bad_course_input_is_refused_per_field_and_writes_nothing(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    prefix = unique("bad")
    cases = {
        "slug": {"slug": "Not A Slug"},
        "title": {"slug": f"{prefix}-1", "title": "  "},
        "tags": {"slug": f"{prefix}-2", "tags": [f"t{i}" for i in range(11)]},
        "priceCents": {"slug": f"{prefix}-3", "priceCents": -1},
    }
    for field, fields in cases.items():
        payload = await create_course(http, instructor, **fields)
        assert payload["course"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [("INVALID", field)]
    student, _ = await account_with_role(http, stores, "student")
    body = await gql(
        http, "mutation($i: CreateCourseInput!) { createCourse(input: $i) { course { id } } }",
        {"i": {"slug": f"{prefix}-4", "title": "t"}}, token=student, expect_errors=True,
    )  # fmt: skip
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await counts(stores, prefix) == (0, 0, 0)


async def test_lessons_are_added_reordered_and_stale_writes_conflict(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, version = await course_with_module(http, instructor)
    slugs = [unique("lesson") for _ in range(2)]
    for slug in slugs:
        body = await gql(
            http, ADD_LESSON,
            {"c": course, "v": version, "i": {"slug": slug, "moduleId": "m1", "title": f"About {slug}",
                                               "blocks": [{"kind": "MARKDOWN", "text": "# Hello"}]}},
            token=instructor,
        )  # fmt: skip
        assert body["data"]["addLesson"]["errors"] == []
        version = body["data"]["addLesson"]["contentVersion"]
    lessons = [f"lesson:{s}" for s in slugs]
    content = (await gql(http, CONTENT, {"c": course}, token=instructor))["data"]["course"]["content"]
    assert content["version"] == version
    assert [lesson["contentId"] for lesson in content["modules"][0]["lessons"]] == lessons

    reorder = {"modules": [{"id": "m1", "title": "Basics", "lessonIds": lessons[::-1]}]}
    done = await gql(http, UPDATE_CONTENT, {"c": course, "v": version, "i": reorder}, token=instructor)
    assert done["data"]["updateCourseContent"]["errors"] == []
    stale = await gql(http, UPDATE_CONTENT, {"c": course, "v": version, "i": {"title": "Lost"}}, token=instructor)
    assert [e["code"] for e in stale["data"]["updateCourseContent"]["errors"]] == ["CONFLICT"]
    content = (await gql(http, CONTENT, {"c": course}, token=instructor))["data"]["course"]["content"]
    assert content["title"] == "Designing APIs"
    assert [lesson["contentId"] for lesson in content["modules"][0]["lessons"]] == lessons[::-1]

    foreign = {"modules": [{"id": "m1", "title": "Basics", "lessonIds": ["lesson:not-ours"]}]}
    refused = await gql(http, UPDATE_CONTENT, {"c": course, "v": version + 1, "i": foreign}, token=instructor)
    assert [(e["code"], e["field"]) for e in refused["data"]["updateCourseContent"]["errors"]] == [
        ("INVALID", "modules[0].lessonIds[0]")
    ]

    edit = """mutation($l: ID!, $v: Int!) { updateLesson(lessonId: $l, expectedVersion: $v, input: {title: "Renamed"}) {
      lesson { title version } errors { code } } }"""
    assert (await gql(http, edit, {"l": lessons[0], "v": 1}, token=instructor))["data"]["updateLesson"] == {
        "lesson": {"title": "Renamed", "version": 2},
        "errors": [],
    }
    assert [e["code"] for e in (await gql(http, edit, {"l": lessons[0], "v": 1}, token=instructor))["data"][
        "updateLesson"]["errors"]] == ["CONFLICT"]  # fmt: skip

    # Another instructor cannot even find a lesson of a course that is not published.
    other, _ = await account_with_role(http, stores, "instructor")
    body = await gql(http, edit, {"l": lessons[0], "v": 2}, token=other)
    assert [e["code"] for e in body["data"]["updateLesson"]["errors"]] == ["NOT_FOUND"]


async def test_bad_lesson_input_changes_nothing(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, version = await course_with_module(http, instructor)
    prefix = unique("nolesson")
    cases = [
        ({"slug": "Bad Slug", "moduleId": "m1", "title": "t"}, "INVALID", "slug"),
        ({"slug": f"{prefix}-1", "moduleId": "m1", "title": " "}, "INVALID", "title"),
        ({"slug": f"{prefix}-2", "moduleId": "m1", "title": "t", "durationMinutes": -5}, "INVALID", "durationMinutes"),
        ({"slug": f"{prefix}-3", "moduleId": "nope", "title": "t"}, "NOT_FOUND", "moduleId"),
        ({"slug": f"{prefix}-4", "moduleId": "m1", "title": "t", "blocks": [{"text": "x" * 20_001}]}, "INVALID",
         "blocks[0].text"),
    ]  # fmt: skip
    for data, code, field in cases:
        body = await gql(http, ADD_LESSON, {"c": course, "v": version, "i": data}, token=instructor)
        assert [(e["code"], e["field"]) for e in body["data"]["addLesson"]["errors"]] == [(code, field)], data
    content = (await gql(http, CONTENT, {"c": course}, token=instructor))["data"]["course"]["content"]
    assert content["version"] == version
    assert content["modules"][0]["lessons"] == []
    assert await stores.db["lesson_content"].count_documents({"_id": {"$regex": f"^lesson:{prefix}"}}) == 0


# --- the outline ----------------------------------------------------------------------------------
# The course outline: new content versions in payloads, stale adds that write nothing, module
# summaries, publishing only with lessons, and removed lessons added back under their slug.


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


# --- the outline's rules, in process --------------------------------------------------------------
# Module checks, appending a lesson, stale versions.


def module(module_id: str, *lesson_ids: str, summary: str = "") -> dict[str, Any]:
    return {"id": module_id, "title": "Basics", "summary": summary, "lesson_ids": list(lesson_ids)}


def test_a_module_summary_may_be_empty_and_is_limited_like_a_title() -> None:
    assert outline_problems([module("m1"), module("m2", summary="s" * MAX_TITLE)], set()) == []
    assert outline_problems([module("m1", summary="s" * (MAX_TITLE + 1))], set()) == [
        ("modules[0].summary", f"Use at most {MAX_TITLE} characters")
    ]


def test_an_orphan_of_the_course_may_be_put_back_into_the_outline() -> None:
    assert outline_problems([module("m1", "lesson:a")], {"lesson:a"}) == []
    assert [field for field, _ in outline_problems([module("m1", "lesson:b")], {"lesson:a"})] == [
        "modules[0].lessonIds[0]"
    ]


def test_a_lesson_is_appended_to_its_module_only() -> None:
    modules = [module("m1", "lesson:a"), module("m2")]
    assert with_lesson_appended(modules, "m1", "lesson:b") == [module("m1", "lesson:a", "lesson:b"), module("m2")]
    assert modules == [module("m1", "lesson:a"), module("m2")]  # the outline read is left as it was
    assert with_lesson_appended(modules, "m3", "lesson:b") is None


def test_outline_lesson_ids_are_every_module_s() -> None:
    assert outline_lesson_ids({"modules": [module("m1", "lesson:a"), module("m2", "lesson:b")]}) == {
        "lesson:a",
        "lesson:b",
    }
    assert outline_lesson_ids({}) == set()


def test_a_stale_version_is_a_conflict_and_a_missing_document_not_found() -> None:
    assert [(r.code, r.field) for r in stale(7)] == [("CONFLICT", "expectedVersion")]
    assert stale(None) == [Refused("NOT_FOUND", "It no longer exists", "id")]


# --- a crash while creating a course --------------------------------------------------------------
# A gateway dies while creating a course, between the MongoDB write and the PostgreSQL commit:
# no course is visible, and the same request succeeds on retry.


async def test_a_crash_before_the_commit_leaves_no_course_and_the_retry_creates_it(
    http: httpx.AsyncClient, stores: StoreAccess, cluster: EmbeddedCluster, settings: Settings
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    slug = unique("crash")
    async with crashing_gateway(cluster, settings, "create_course.after_content") as (url, proc):
        async with httpx.AsyncClient(base_url=url, timeout=30) as doomed:
            with pytest.raises(httpx.TransportError):
                await post_graphql(doomed, CREATE_COURSE, {"i": {"slug": slug, "title": "First try"}}, token=instructor)
        assert await asyncio.to_thread(proc.wait, 30) == EXIT_CODE

    # Content without a row: nothing lists it or finds it.
    assert await counts(stores, slug) == (0, 1, 0)
    found = await gql(http, "query($c: String!) { course(contentId: $c) { id } }", {"c": f"course:{slug}"},
                      token=instructor, expect_errors=True)  # fmt: skip
    assert found["data"]["course"] is None
    assert [e["extensions"]["code"] for e in found["errors"]] == ["NOT_FOUND"]

    retried = await create_course(http, instructor, slug=slug, title="Second try")
    assert retried["errors"] == []
    assert await counts(stores, slug) == (1, 1, 0)
    title = await gql(http, "query($c: ID!) { course(id: $c) { title } }", {"c": retried["course"]["id"]},
                      token=instructor)  # fmt: skip
    assert title["data"]["course"]["title"] == "Second try"
