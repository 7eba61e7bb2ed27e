"""Instructors create and edit courses and lessons; stale writes conflict; bad input changes nothing."""

from __future__ import annotations

import httpx

from tests.support.authoring import (
    ADD_LESSON,
    CONTENT,
    PUBLISH_COURSE,
    UPDATE_CONTENT,
    add_lesson,
    counts,
    course_with_module,
    create_course,
)
from tests.support.client import gql
from tests.support.data import StoreAccess, unique
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
