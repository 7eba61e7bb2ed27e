"""Course content from MongoDB: a lesson missing from its module is null on its own (with an
error), and a lesson's body needs an enrollment or a preview."""

from __future__ import annotations

import httpx

from tests.support.client import gql
from tests.support.data import StoreAccess, enroll, make_course, register, user_id_of


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


async def test_lesson_body_needs_enrollment_or_preview(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await register(http)
    row_id, _, lesson_ids = await make_course(stores)
    query = "query($l: ID!) { lesson(id: $l) { body { text } } }"

    assert (await gql(http, query, {"l": lesson_ids[0]}, token=token))["data"]["lesson"]["body"] is None
    await enroll(stores, user_id_of(token), row_id)
    body = (await gql(http, query, {"l": lesson_ids[0]}, token=token))["data"]["lesson"]["body"]
    assert body == [{"text": f"# {lesson_ids[0]}"}]
