"""The body size limit, with and without a Content-Length."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from tests.support.client import post_graphql


async def test_body_size_limit_with_and_without_content_length(prod: httpx.AsyncClient) -> None:
    declared = await post_graphql(prod, "{ __typename }", {"pad": "x" * 5000})
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "limit": 4096}

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}}'

    streamed = await prod.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    small = await post_graphql(prod, "{ __typename }", {"pad": "x" * 3000})
    assert small.status_code == 200
