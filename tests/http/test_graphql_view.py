"""The GraphQL endpoint: bad requests get a GraphQL error with a stable code and the status GraphQL
over HTTP asks for, on a connection kept open; request ids, CSRF rules, the per-operation time
limit, and clients that go away."""

from __future__ import annotations

import asyncio
import logging
from unittest.mock import ANY

import httpx
import orjson
import pytest

from tests.support.client import gql, post_graphql
from tests.support.data import StoreAccess, make_course, unique
from tests.support.logs import captured_logs
from tests.support.raw_http import exchange, raw_post
from tests.support.servers import GatewayFactory, LiveServer

GRAPHQL_RESPONSE = "application/graphql-response+json"

CASES = [
    # (name, request body, expected code, status for application/json, for graphql-response+json)
    ("malformed JSON", b'{"query": "{ me { id }', "BAD_REQUEST", 400, 400),
    ("unknown field", b'{"query": "{ courses { nope } }"}', "GRAPHQL_VALIDATION_FAILED", 200, 400),
    ("syntax error", b'{"query": "{ courses { "}', "GRAPHQL_PARSE_FAILED", 200, 400),
    (
        "wrong variable type",
        b'{"query": "query($n: Int) { courses(first: $n) { totalCount } }", "variables": {"n": "ten"}}',
        "BAD_USER_INPUT",
        200,
        400,
    ),
    ("first over the cap", b'{"query": "{ courses(first: 10000) { totalCount } }"}', "BAD_USER_INPUT", 200, 200),
    ("no query", b'{"variables": {}}', "BAD_REQUEST", 400, 400),
    ("operationName not a string", b'{"query": "{ __typename }", "operationName": []}', "BAD_REQUEST", 400, 400),
]


@pytest.mark.parametrize(("name", "payload", "code", "json_status", "gql_status"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_bad_request(
    http: httpx.AsyncClient, name: str, payload: bytes, code: str, json_status: int, gql_status: int, accept: str
) -> None:
    response = await http.post(
        "/graphql", content=payload, headers={"content-type": "application/json", "accept": accept}
    )

    assert response.status_code == (gql_status if accept == GRAPHQL_RESPONSE else json_status)
    assert response.headers["content-type"].startswith(accept)
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]
    text = response.text
    assert "Traceback" not in text
    assert 'File "' not in text
    if response.status_code == 400:
        assert "data" not in body  # a refused request has no data entry at all


async def test_every_response_carries_a_request_id(http: httpx.AsyncClient) -> None:
    response = await post_graphql(http, "{ __typename }", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


# Bodies that fuzzing the endpoint found answered with a plain-text 500 that closed the connection.
NOT_A_REQUEST = [
    ("a number", b"12"),
    ("a string", b'"x"'),
    ("null", b"null"),
    ("an empty list (batching is off)", b"[]"),
    ("a list of numbers", b"[12]"),
    ("a UTF-16 byte order mark", b"\xff\xfe{\x00}\x00"),
    ("a UTF-8 byte order mark", b'\xef\xbb\xbf{"query": "{ __typename }"}'),
    ("bytes that are not UTF-8", b'{"query": "\xff"}'),
    ("100,000 nested lists", b"[" * 100_000 + b"]" * 100_000),
    ("100,000 nested objects", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
]
GOOD = b'{"query": "{ __typename }"}'


@pytest.mark.parametrize("body", [body for _, body in NOT_A_REQUEST], ids=[name for name, _ in NOT_A_REQUEST])
async def test_a_body_that_is_not_a_request_is_a_400_on_a_connection_kept_open(live: LiveServer, body: bytes) -> None:
    bad, good = await exchange(live.port, [raw_post(body), raw_post(GOOD)])

    assert bad.status == 400
    assert bad.headers["content-type"].startswith("application/json")
    refused = orjson.loads(bad.body)
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["BAD_REQUEST"]
    assert "data" not in refused
    assert bad.headers.get("connection") != "close"
    # The same connection serves the next request.
    assert good.status == 200
    assert orjson.loads(good.body) == {"data": {"__typename": "Query"}, "extensions": ANY}


async def test_a_client_gone_before_its_body_is_one_debug_line(live: LiveServer, http: httpx.AsyncClient) -> None:
    """A disconnect is normal: no "Exception in ASGI application", no traceback."""
    with captured_logs("learnhub.http", "uvicorn.error", level=logging.DEBUG) as logged:
        _, writer = await asyncio.open_connection("127.0.0.1", live.port)
        writer.write(raw_post(b'{"query": "{ __typename }"}' + b" " * 1000)[:-900])  # 900 bytes short
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        for _ in range(500):
            if any(r.name == "learnhub.http" for r in logged.records):
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # anything logged after the debug line would be the finding

    ours = [r for r in logged.records if r.name == "learnhub.http"]
    assert [(r.levelno, r.exc_info) for r in ours] == [(logging.DEBUG, None)]
    assert "disconnected" in ours[0].getMessage()
    assert [r.getMessage() for r in logged.records if r.levelno >= logging.WARNING] == []
    assert (await post_graphql(http, "{ __typename }")).json()["data"] == {"__typename": "Query"}


async def test_form_posts_need_a_preflight_header(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    email = f"{unique('csrf')}@example.test"
    fields = f'email: "{email}", password: "a long password", displayName: "x"'
    mutation = f"mutation {{ register(input: {{{fields}}}) {{ accessToken }} }}"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = await http.post(
            "/graphql", content=f'{{"query": {mutation!r}}}'.replace("'", '"'), headers={"content-type": content_type}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    # No mutation over GET either.
    refused = await http.get("/graphql", params={"query": mutation}, headers={"accept": "application/json"})
    assert refused.status_code in (400, 405)
    login = await gql(http, "{ me { id } }")
    assert login["data"]["me"] is None
    from sqlalchemy import func, select

    from learnhub.datasources.postgres.tables import users

    async with stores.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).where(users.c.email == email)) == 0


async def test_operations_over_the_time_limit_are_cut_off(gateway_factory: GatewayFactory, stores: StoreAccess) -> None:
    await make_course(stores)
    server = gateway_factory(operation_timeout_seconds=0.000001)
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await post_graphql(http, "{ courses(first: 5) { nodes { title } } }")
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"] == {"code": "OPERATION_TIMEOUT", "limit": 0.000001}
