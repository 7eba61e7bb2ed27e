"""Error shaping: unexpected errors are masked in production and carry the request id."""

from __future__ import annotations

import httpx

from tests.support.client import post_graphql
from tests.support.data import StoreAccess, make_course, unique


async def test_unexpected_errors_are_masked_with_a_request_id(prod: httpx.AsyncClient, stores: StoreAccess) -> None:
    """A lesson whose stored body is malformed breaks a resolver: the client sees no internals."""
    slug = unique("broken")
    _, course_content_id, _ = await make_course(stores)  # with content: the catalogue stays whole
    await stores.db["lesson_content"].insert_one(
        {"_id": f"lesson:{slug}", "course_id": course_content_id, "title": "t", "preview": True,
         "blocks": [{"kind": "??"}]}
    )  # fmt: skip
    response = await post_graphql(prod, f'{{ lesson(id: "lesson:{slug}") {{ body {{ text }} }} }}')
    body = response.json()
    error = body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": response.headers["x-request-id"]}
    assert "Traceback" not in response.text
    assert "??" not in response.text
    assert "ValueError" not in response.text
