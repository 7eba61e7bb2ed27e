"""Request limits: at each limit a query runs, one step past it the request is refused before anything runs;
and the measure behind them, in process."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import GraphQLSyntaxError, build_schema, get_introspection_query, parse

from learnhub.graphql.execution.limits import (
    DEFAULT_LIST_SIZE,
    DEFAULT_PAGE_SIZE,
    LIST_SIZES,
    MAX_ALIASES,
    MAX_COST,
    MAX_DEPTH,
    MAX_FIELDS,
    MAX_TOKENS,
    Measure,
    check,
    count_fields,
    measure,
    parse_limit_extensions,
)
from tests.support.client import gql, post_graphql

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = {"accept": "application/json"}

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

    cheap = (await post_graphql(http, document, operation_name="Cheap", headers=JSON)).json()
    costly = (await post_graphql(http, document, operation_name="Costly", headers=JSON)).json()

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
    response = await post_graphql(http, COSTLY % CATALOGUE, {"n": MAX_COST}, headers={"accept": GRAPHQL_RESPONSE})

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


# --- the measure, in process ---------------------------------------------------------------------
# One behaviour per test, on a small schema: `measure` walks the operation that would run, and
# `count_fields` and the parser's token limit guard the steps before it.

SMALL = build_schema("""
type Query { me: User, courses(first: Int): CourseConnection!, tags: [String!]! }
type User { id: ID!, name: String, friends: [User!]!, modules: [Module!]! }
type Module { id: ID!, lessons: [Lesson!]! }
type Lesson { id: ID! }
type CourseConnection { pageInfo: PageInfo!, totalCount: Int!, nodes: [Course!]!, edges: [CourseEdge!]! }
type CourseEdge { node: Course!, cursor: String! }
type Course { id: ID!, title: String }
type PageInfo { hasNextPage: Boolean! }
""")


def _measure(
    document: str, variables: dict[str, Any] | None = None, operation_name: str | None = None
) -> Measure | None:
    return measure(SMALL, parse(document), operation_name, variables)


def _measured(document: str, variables: dict[str, Any] | None = None) -> Measure:
    found = _measure(document, variables)
    assert found is not None
    return found


def test_depth_counts_fields_from_the_root() -> None:
    assert _measured("{ me { id } }").depth == 2


def test_depth_counts_through_named_fragments() -> None:
    assert _measured("{ me { ...F } } fragment F on User { friends { id } }").depth == 3


def test_an_inline_fragment_adds_no_depth() -> None:
    assert _measured("{ me { ... on User { id } } }").depth == 2


def test_of_type_adds_no_depth() -> None:
    # __schema 1, types 2, each ofType still 2, name 3.
    assert _measured("{ __schema { types { ofType { ofType { name } } } } }").depth == 3


def test_aliases_count_wherever_a_fragment_is_spread() -> None:
    document = "{ a: me { id } b: me { ...F } c: me { ...F } } fragment F on User { x: id }"
    assert _measured(document).aliases == 5  # a, b, c, and x once per spread


def test_every_field_costs_one() -> None:
    assert _measured("{ me { id name } }").cost == 3


def test_a_sized_list_multiplies_its_selection_by_its_expected_length() -> None:
    assert _measured("{ me { modules { id } } }").cost == 1 + 1 + LIST_SIZES["modules"]


def test_nested_lists_multiply() -> None:
    lessons = 1 + LIST_SIZES["lessons"]
    assert _measured("{ me { modules { lessons { id } } } }").cost == 1 + 1 + LIST_SIZES["modules"] * lessons


def test_an_unsized_list_of_objects_takes_the_default_length() -> None:
    assert "friends" not in LIST_SIZES
    assert _measured("{ me { friends { id } } }").cost == 1 + 1 + DEFAULT_LIST_SIZE


def test_a_list_of_scalars_costs_one() -> None:
    assert _measured("{ tags }").cost == 1


def test_a_connections_items_are_multiplied_by_its_first() -> None:
    assert _measured("{ courses(first: 5) { nodes { id title } } }").cost == 1 + 1 + 5 * 2


def test_edges_are_a_connections_items_too() -> None:
    assert _measured("{ courses(first: 3) { edges { node { id } } } }").cost == 1 + 1 + 3 * 2


def test_first_is_read_from_the_variables() -> None:
    query = "query($n: Int) { courses(first: $n) { nodes { id } } }"
    assert _measured(query, {"n": 7}).cost == 1 + 1 + 7


def test_first_is_not_capped_at_the_page_size() -> None:
    query = "query($n: Int) { courses(first: $n) { nodes { id } } }"
    assert _measured(query, {"n": 100_000}).cost == 1 + 1 + 100_000


def test_a_variables_default_counts_when_no_value_is_given() -> None:
    assert _measured("query($n: Int = 3) { courses(first: $n) { nodes { id } } }").cost == 1 + 1 + 3


@pytest.mark.parametrize("value", [-1, "lots", None, True, 2**31])
def test_a_first_that_is_not_a_valid_size_counts_as_the_default_page(value: object) -> None:
    query = "query($n: Int) { courses(first: $n) { nodes { id } } }"
    assert _measured(query, {"n": value}).cost == 1 + 1 + DEFAULT_PAGE_SIZE


def test_a_connection_without_first_counts_as_the_default_page() -> None:
    assert _measured("{ courses { nodes { id } } }").cost == 1 + 1 + DEFAULT_PAGE_SIZE


def test_total_count_and_page_info_cost_the_same_whatever_the_page_size() -> None:
    small = _measured("{ courses(first: 1) { totalCount pageInfo { hasNextPage } } }")
    large = _measured("{ courses(first: 100) { totalCount pageInfo { hasNextPage } } }")
    assert small.cost == large.cost == 4


def test_a_fragment_spread_twice_costs_twice() -> None:
    once = _measured("{ me { ...F } } fragment F on User { friends { id } }")
    twice = _measured("{ me { ...F } other: me { ...F } } fragment F on User { friends { id } }")
    assert twice.cost == 2 * once.cost


def test_only_the_named_operation_is_measured() -> None:
    document = "query Cheap { tags } query Costly { me { friends { friends { id } } } }"
    assert _measure(document, operation_name="Cheap") == Measure(depth=1, aliases=0, cost=1)


def test_an_unknown_operation_is_not_measured() -> None:
    assert _measure("query A { tags }", operation_name="B") is None


def test_check_refuses_the_first_limit_exceeded_with_its_actual_value() -> None:
    deep = "{ me " + "{ friends " * MAX_DEPTH + "{ id }" + " }" * MAX_DEPTH + " }"
    error = check(SMALL, parse(deep))
    assert error is not None
    assert error.extensions == {"code": "QUERY_TOO_DEEP", "limit": MAX_DEPTH, "actual": MAX_DEPTH + 2}


def test_field_selections_are_counted_as_written_with_fragments_once() -> None:
    # me, and the fragment's id and name once, however often it is spread.
    assert count_fields(parse("{ me { ...F ...F } } fragment F on User { id name }")) == 3


def test_the_parser_stops_past_the_token_limit_and_the_error_gets_its_code() -> None:
    document = "{ " + "tags " * MAX_TOKENS + "}"
    with pytest.raises(GraphQLSyntaxError) as info:
        parse(document, max_tokens=MAX_TOKENS)
    assert parse_limit_extensions(info.value) == {"code": "QUERY_TOO_LARGE", "limit": MAX_TOKENS}


def test_other_syntax_errors_get_no_limit_code() -> None:
    with pytest.raises(GraphQLSyntaxError) as info:
        parse("{ tags")
    assert parse_limit_extensions(info.value) is None
