"""Bad requests get a GraphQL error with a stable code and the status GraphQL over HTTP asks for."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from unittest.mock import ANY

import httpx
import orjson
import pytest

from learnhub.graphql.execution.input_guard import MAX_STRING, TOO_LONG
from tests.support.logs import captured_logs
from tests.support.raw_http import exchange, raw_post
from tests.support.servers import LiveServer

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


async def test_first_over_the_cap_reports_the_limit(http: httpx.AsyncClient) -> None:
    body = (await http.post("/graphql", json={"query": "{ courses(first: 101) { totalCount } }"})).json()
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first", "max": 100}
    assert body["data"] is None


async def test_first_at_the_cap_is_fine(http: httpx.AsyncClient) -> None:
    body = (await http.post("/graphql", json={"query": "{ courses(first: 100) { totalCount } }"})).json()
    assert "errors" not in body
    assert body["data"]["courses"]["totalCount"] >= 3


async def test_every_response_carries_a_request_id(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_nul_characters_are_bad_input_and_reach_no_store(http: httpx.AsyncClient) -> None:
    """PostgreSQL cannot store NUL in text: refused up front, in literals and in variables alike."""
    literal = await http.post("/graphql", json={"query": '{ course(contentId: "course:\\u0000") { id } }'})
    variable = await http.post(
        "/graphql",
        json={"query": "query($t: String) { courses(filter: {tag: $t}) { totalCount } }", "variables": {"t": "a\x00"}},
    )
    for response in (literal, variable):
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "data" not in body
        assert body["extensions"]["roundTrips"] == {"postgres": 0, "mongodb": 0}


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


def _json(payload: dict[str, Any]) -> bytes:
    # json.dumps escapes a lone surrogate as \ud800; httpx's own encoder cannot encode one at all.
    return json.dumps(payload).encode()


async def _refused_before_any_store(http: httpx.AsyncClient, body: bytes, code: str = "BAD_USER_INPUT") -> Any:
    response = await http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200
    answer = response.json()
    assert [e["extensions"]["code"] for e in answer["errors"]] == [code]
    assert "data" not in answer
    assert answer["extensions"]["roundTrips"] == {"postgres": 0, "mongodb": 0}
    return answer["errors"][0]


COURSE = "query($c: String) { course(contentId: $c) { id } }"
SURROGATES = [
    ("in a variable", {"query": COURSE, "variables": {"c": "course:\ud800"}}),
    ("in a JSON variable's key", {"query": COURSE, "variables": {"c": "x", "\udfff": 1}}),
    ("in an inline argument", {"query": '{ course(contentId: "course:\ud800") { id } }'}),
    ("in a comment", {"query": "{ __typename } # \ud800"}),
    ("in the operation name", {"query": "query Q { __typename }", "operationName": "\ud800"}),
    (
        "in a persisted query being registered",
        {"query": "{ __typename } # \udc00", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
    ),
]


@pytest.mark.parametrize("payload", [p for _, p in SURROGATES], ids=[name for name, _ in SURROGATES])
async def test_a_lone_surrogate_is_bad_input_and_reaches_no_store(http: httpx.AsyncClient, payload: Any) -> None:
    """Text that cannot be encoded as UTF-8 was an INTERNAL_SERVER_ERROR quoting the SQLAlchemy error,
    or a 500 where an error message or a persisted query's hash had to encode it."""
    error = await _refused_before_any_store(http, _json(payload))
    assert "UTF-8" in error["message"]


async def test_a_lone_surrogate_in_get_variables_is_bad_input(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", params={"query": COURSE, "variables": '{"c": "\\ud800"}'})
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["BAD_USER_INPUT"]


async def test_strings_over_the_general_bound_are_bad_input(http: httpx.AsyncClient) -> None:
    long = "x" * (MAX_STRING + 1)
    for payload in (
        {"query": COURSE, "variables": {"c": long}},
        {"query": f'{{ course(contentId: "{long}") {{ id }} }}'},
        {"query": f'{{ course(contentId: """{long}""") {{ id }} }}'},
    ):
        error = await _refused_before_any_store(http, _json(payload))
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "limit": MAX_STRING}
    # At the bound the string is an ordinary id: looked up, and not found.
    at_bound = (await http.post("/graphql", json={"query": COURSE, "variables": {"c": "x" * MAX_STRING}})).json()
    assert [e["extensions"]["code"] for e in at_bound["errors"]] == ["NOT_FOUND"]


async def test_nul_in_a_default_value_is_bad_input(http: httpx.AsyncClient) -> None:
    query = 'query($c: String = "course:\\u0000") { course(contentId: $c) { id } }'
    await _refused_before_any_store(http, _json({"query": query}))


@pytest.mark.parametrize(
    "path",
    ["/api/v1/quizzes/quiz:%00", "/api/v1/quizzes/quiz:x?page=%00", "/questions?after=a%00", "/questions?%00=1"],
)
async def test_rest_parameters_no_store_can_take_are_bad_input(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"


async def test_rest_parameters_over_the_general_bound_are_bad_input(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/quizzes/quiz:x", params={"q": "x" * (MAX_STRING + 1)})
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "BAD_USER_INPUT", "message": TOO_LONG}


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
    assert (await http.post("/graphql", json={"query": "{ __typename }"})).json()["data"] == {"__typename": "Query"}
