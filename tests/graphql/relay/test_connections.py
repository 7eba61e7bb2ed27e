"""Connections: page sizes within the cap."""

from __future__ import annotations

import httpx

from tests.support.client import post_graphql


async def test_first_over_the_cap_reports_the_limit(http: httpx.AsyncClient) -> None:
    body = (await post_graphql(http, "{ courses(first: 101) { totalCount } }")).json()
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first", "max": 100}
    assert body["data"] is None


async def test_first_at_the_cap_is_fine(http: httpx.AsyncClient) -> None:
    body = (await post_graphql(http, "{ courses(first: 100) { totalCount } }")).json()
    assert "errors" not in body
    assert body["data"]["courses"]["totalCount"] >= 3
