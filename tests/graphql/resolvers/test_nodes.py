"""Refetching any object by its global id: `node`."""

from __future__ import annotations

import httpx

from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register


async def test_another_users_lists_are_forbidden_through_node(http: httpx.AsyncClient) -> None:
    token_a, _ = await register(http)
    token_b, _ = await register(http)
    me_a = (await gql(http, "{ me { id } }", token=token_a))["data"]["me"]["id"]
    body = await gql(http, "query($id: ID!) { node(id: $id) { id } }", {"id": me_a}, token=token_b, expect_errors=True)
    # Another user's account reads as an unknown id does.
    assert body["data"]["node"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]


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
