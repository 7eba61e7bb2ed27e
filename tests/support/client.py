"""The one GraphQL client of the tests: `post_graphql` sends an operation and hands back the HTTP
response; `gql` sends one and fails unless the answer is a 200 without errors (or with them, when
asked). Both have a variant for synchronous clients, for tests that run on a thread of their own.

Bodies are encoded with `json.dumps`, which escapes what UTF-8 cannot hold (a lone surrogate goes
out as \\ud800); httpx's own encoder refuses such text, and the tests send it on purpose.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

PATH = "/graphql"


def graphql_request(
    query: str | None,
    variables: Mapping[str, Any] | None = None,
    *,
    operation_name: str | None = None,
    extensions: Mapping[str, Any] | None = None,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The body and headers of one POST: `query` None for a persisted query sent by its hash only."""
    payload: dict[str, Any] = {}
    if query is not None:
        payload |= {"query": query, "variables": dict(variables or {})}
    elif variables is not None:
        payload["variables"] = dict(variables)
    if operation_name is not None:
        payload["operationName"] = operation_name
    if extensions is not None:
        payload["extensions"] = dict(extensions)
    sent = {"content-type": "application/json"}
    if token:
        sent["authorization"] = f"Bearer {token}"
    return {"content": json.dumps(payload, separators=(",", ":")), "headers": sent | dict(headers or {})}


async def post_graphql(
    http: httpx.AsyncClient,
    query: str | None,
    variables: Mapping[str, Any] | None = None,
    *,
    operation_name: str | None = None,
    extensions: Mapping[str, Any] | None = None,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST one operation; the response as it came, whatever its status."""
    request = graphql_request(
        query, variables, operation_name=operation_name, extensions=extensions, token=token, headers=headers
    )
    return await http.post(PATH, **request)


def post_graphql_sync(
    http: httpx.Client,
    query: str | None,
    variables: Mapping[str, Any] | None = None,
    *,
    operation_name: str | None = None,
    extensions: Mapping[str, Any] | None = None,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """`post_graphql` for a synchronous client."""
    request = graphql_request(
        query, variables, operation_name=operation_name, extensions=extensions, token=token, headers=headers
    )
    return http.post(PATH, **request)


def answer(response: httpx.Response, *, expect_errors: bool = False) -> dict[str, Any]:
    """The body of a 200; without `expect_errors`, fail if it holds errors."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    if not expect_errors:
        assert "errors" not in body, body["errors"]
    return body


async def gql(
    http: httpx.AsyncClient,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
    expect_errors: bool = False,
) -> dict[str, Any]:
    """POST one operation; fail unless the response is 200 and (by default) error-free."""
    response = await post_graphql(http, query, variables, token=token, headers=headers)
    return answer(response, expect_errors=expect_errors)


def gql_sync(
    http: httpx.Client,
    query: str,
    variables: Mapping[str, Any] | None = None,
    *,
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
    expect_errors: bool = False,
) -> dict[str, Any]:
    """`gql` for a synchronous client."""
    return answer(post_graphql_sync(http, query, variables, token=token, headers=headers), expect_errors=expect_errors)
