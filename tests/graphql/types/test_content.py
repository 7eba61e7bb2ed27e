"""Joins across stores when the other side is missing, and node refetching."""

from __future__ import annotations

import httpx

from tests.support.client import gql
from tests.support.data import StoreAccess, enroll, make_course, register, user_id_of


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


async def test_missing_lesson_in_a_module_nulls_only_that_lesson(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await register(http)
    row_id, _, lesson_ids = await make_course(stores)
    await enroll(stores, user_id_of(token), row_id)
    await stores.db["lesson_content"].delete_one({"_id": lesson_ids[1]})

    body = await gql(
        http,
        """
        { me { enrollments(first: 5) { nodes { course { content { modules { lessons { contentId } } } } } } } }
    """,
        token=token,
        expect_errors=True,
    )

    modules = body["data"]["me"]["enrollments"]["nodes"][0]["course"]["content"]["modules"]
    assert modules[0]["lessons"] == [{"contentId": lesson_ids[0]}, None, {"contentId": lesson_ids[2]}]
    [error] = body["errors"]
    assert error["extensions"]["code"] == "CONTENT_NOT_FOUND"
    assert error["path"][-2:] == ["lessons", 1]


async def test_node_refetches_a_course_and_a_lesson(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    _, content_id, lesson_ids = await make_course(stores)
    course = await gql(http, "query($c: String!) { course(contentId: $c) { id } }", {"c": content_id})
    course_id = course["data"]["course"]["id"]
    lesson = await gql(http, "query($l: ID!) { lesson(id: $l) { id contentId } }", {"l": lesson_ids[0]})
    lesson_global = lesson["data"]["lesson"]["id"]

    body = await gql(
        http,
        """
        query($a: ID!, $b: ID!) {
          a: node(id: $a) { __typename ... on Course { contentId } }
          b: node(id: $b) { __typename ... on Lesson { contentId } }
        }
    """,
        {"a": course_id, "b": lesson_global},
    )

    assert body["data"]["a"] == {"__typename": "Course", "contentId": content_id}
    assert body["data"]["b"] == {"__typename": "Lesson", "contentId": lesson_ids[0]}


async def test_lesson_body_needs_enrollment_or_preview(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await register(http)
    row_id, _, lesson_ids = await make_course(stores)
    query = "query($l: ID!) { lesson(id: $l) { body { text } } }"

    assert (await gql(http, query, {"l": lesson_ids[0]}, token=token))["data"]["lesson"]["body"] is None
    await enroll(stores, user_id_of(token), row_id)
    body = (await gql(http, query, {"l": lesson_ids[0]}, token=token))["data"]["lesson"]["body"]
    assert body == [{"text": f"# {lesson_ids[0]}"}]


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
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": {"id": enrollment["enrollments"]["nodes"][0]["id"]}},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["data"]["node"]["lessonCount"] == 6
