"""Request limits: at each limit a query runs, one step past it the request is refused before anything runs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from learnhub.graphql.execution.limits import MAX_ALIASES, MAX_COST, MAX_DEPTH, MAX_FIELDS, MAX_TOKENS
from tests.support.client import gql

GRAPHQL_RESPONSE = "application/graphql-response+json"

# A field that reads PostgreSQL, so that a refused request shows it ran nothing. Cost 2, depth 2, 9 tokens.
CATALOGUE = "courses(first: 1) { totalCount }"

# Signed out, `me` is null, so these run in no time whatever they ask for below it.
# Depth: me 1, enrollments 2, nodes 3, course 4 (the inline fragment adds none), content 5, modules 6,
# lessons 7, course 8, content 9, modules 10, lessons 11; the leaf below is 12 or 13.
DEEP = """
query Deep { %s me { ...Enrolled } }
fragment Enrolled on User {
  enrollments(first: 1) { nodes { course { ... on Course {
    content { modules { lessons { course { content { modules { lessons { %s } } } } } } }
  } } } }
}
"""
# Cost: courses 2, me 1, enrollments 1, nodes 1, and $n nodes of one field each.
COSTLY = "query Costly($n: Int) { %s me { enrollments(first: $n) { nodes { id } } } }"
COSTLY_BY_FRAGMENT = """
query Costly($n: Int) { %s me { ...Mine } }
fragment Mine on User { enrollments(first: $n) { nodes { id } } }
"""


async def post(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    operation_name: str | None = None,
    accept: str = "application/json",
) -> httpx.Response:
    payload = {"query": query, "variables": variables or {}, "operationName": operation_name}
    return await http.post("/graphql", json=payload, headers={"accept": accept})


def refused(body: dict[str, Any]) -> dict[str, Any]:
    """The extensions of the one error of a request that ran nothing."""
    assert "data" not in body, body
    assert len(body["errors"]) == 1, body["errors"]
    assert body["extensions"]["roundTrips"] == {"postgres": 0, "mongodb": 0}
    extensions: dict[str, Any] = body["errors"][0]["extensions"]
    return extensions


@pytest.mark.parametrize(("leaf", "depth"), [("title", MAX_DEPTH), ("course { id }", MAX_DEPTH + 1)])
async def test_depth_counts_through_fragments(http: httpx.AsyncClient, leaf: str, depth: int) -> None:
    body = await gql(http, DEEP % (CATALOGUE, leaf), expect_errors=True)

    if depth <= MAX_DEPTH:
        assert "errors" not in body, body["errors"]
        assert body["data"]["me"] is None
    else:
        assert refused(body) == {"code": "QUERY_TOO_DEEP", "limit": MAX_DEPTH, "actual": depth}


@pytest.mark.parametrize("aliases", [MAX_ALIASES, MAX_ALIASES + 1])
async def test_aliases(http: httpx.AsyncClient, aliases: int) -> None:
    query = "{ " + CATALOGUE + " ".join(f" a{i}: __typename" for i in range(aliases)) + " }"

    body = await gql(http, query, expect_errors=True)

    if aliases <= MAX_ALIASES:
        assert "errors" not in body, body["errors"]
        assert body["data"][f"a{aliases - 1}"] == "Query"
    else:
        assert refused(body) == {"code": "TOO_MANY_ALIASES", "limit": MAX_ALIASES, "actual": aliases}


@pytest.mark.parametrize("tokens", [MAX_TOKENS, MAX_TOKENS + 1])
async def test_tokens(http: httpx.AsyncClient, tokens: int) -> None:
    # `{ courses(first: 1) { totalCount } }` is 11 tokens; the parser counts each comment as one more.
    query = "{ " + CATALOGUE + "\n" + "#\n" * (tokens - 11) + "}"

    body = await gql(http, query, expect_errors=True)

    if tokens <= MAX_TOKENS:
        assert "errors" not in body, body["errors"]
        assert body["data"]["courses"]["totalCount"] >= 1
    else:
        assert refused(body) == {"code": "QUERY_TOO_LARGE", "limit": MAX_TOKENS}


@pytest.mark.parametrize("fields", [MAX_FIELDS, MAX_FIELDS + 1])
async def test_field_selections_are_counted_before_validation(http: httpx.AsyncClient, fields: int) -> None:
    # `courses` and `totalCount` are 2 selections; repeated `__typename` merge into one response key.
    query = "{ " + CATALOGUE + " __typename" * (fields - 2) + " }"

    body = await gql(http, query, expect_errors=True)

    if fields <= MAX_FIELDS:
        assert "errors" not in body, body["errors"]
        assert body["data"]["__typename"] == "Query"
    else:
        assert refused(body) == {"code": "TOO_MANY_FIELDS", "limit": MAX_FIELDS}


@pytest.mark.parametrize("shape", [COSTLY, COSTLY_BY_FRAGMENT], ids=["inline", "named fragment"])
@pytest.mark.parametrize("cost", [MAX_COST, MAX_COST + 1])
async def test_cost_of_a_connection_follows_first_from_the_variables(
    http: httpx.AsyncClient, shape: str, cost: int
) -> None:
    # Not capped at the page size: a `first` of thousands costs thousands even where the resolver refuses it.
    body = await gql(http, shape % CATALOGUE, {"n": cost - 5}, expect_errors=True)

    if cost <= MAX_COST:
        assert "errors" not in body, body["errors"]
        assert body["data"]["me"] is None
    else:
        assert refused(body) == {"code": "QUERY_TOO_COMPLEX", "limit": MAX_COST, "actual": cost}


async def test_only_the_operation_that_runs_is_counted(http: httpx.AsyncClient) -> None:
    document = "query Cheap { " + CATALOGUE + " } query Costly { me { enrollments(first: 100000) { nodes { id } } } }"

    cheap = (await post(http, document, operation_name="Cheap")).json()
    costly = (await post(http, document, operation_name="Costly")).json()

    assert "errors" not in cheap, cheap["errors"]
    assert refused(costly)["code"] == "QUERY_TOO_COMPLEX"


async def test_a_variable_default_counts_and_a_bad_value_falls_back_to_the_page_size(http: httpx.AsyncClient) -> None:
    query = "query($n: Int = 100000) { " + CATALOGUE + " me { enrollments(first: $n) { nodes { id } } } }"

    by_default = await gql(http, query, expect_errors=True)
    bad_value = await gql(http, query, {"n": "lots"}, expect_errors=True)

    assert refused(by_default)["code"] == "QUERY_TOO_COMPLEX"
    # Costed at the default page size, so graphql-core gets to refuse the value itself.
    assert [e["extensions"]["code"] for e in bad_value["errors"]] == ["BAD_USER_INPUT"]


async def test_a_refused_request_is_a_400_for_graphql_response_json(http: httpx.AsyncClient) -> None:
    response = await post(http, COSTLY % CATALOGUE, {"n": MAX_COST}, accept=GRAPHQL_RESPONSE)

    assert response.status_code == 400
    assert refused(response.json())["code"] == "QUERY_TOO_COMPLEX"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {
            "input_value_deprecation": True,
            "schema_description": True,
            "specified_by_url": True,
            "directive_is_repeatable": True,
            "one_of": True,
        },
    ],
    ids=["default", "every option"],
)
async def test_the_introspection_query_is_within_every_limit(http: httpx.AsyncClient, options: dict[str, bool]) -> None:
    body = await gql(http, get_introspection_query(**options))

    assert any(t["name"] == "Course" for t in body["data"]["__schema"]["types"])
