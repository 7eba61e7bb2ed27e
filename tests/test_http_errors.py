"""Bad requests get a GraphQL error with a stable code and the status GraphQL over HTTP asks for."""

from __future__ import annotations

import httpx
import pytest

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
