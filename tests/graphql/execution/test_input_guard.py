"""The text rules of input_guard.py: in process, one rule per test, and end to end, where text no
store can take is refused before it reaches one."""

from __future__ import annotations

from typing import Any

import graphql
import httpx
import pytest
import strawberry

from learnhub.graphql.execution.input_guard import (
    MAX_STRING,
    NOT_UTF8,
    NUL,
    TOO_LONG,
    RejectUnstorableText,
    literal_problem,
    request_text_problem,
    text_problem,
)
from tests.support.client import post_graphql


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("plain", None),
        ("\U0001f600 and \u202e", None),  # a surrogate pair in JSON decodes to one character: fine
        ("x" * MAX_STRING, None),
        ("x" * (MAX_STRING + 1), TOO_LONG),
        ("a\x00b", NUL),
        ("a\ud800", NOT_UTF8),
        ("\udfff", NOT_UTF8),
        ({"nested": [1, None, {"deeper": "\ud800"}]}, NOT_UTF8),
        ({"key\x00": "value"}, NUL),
        ([1, 2.5, True, None], None),
    ],
)
def test_text_problem(value: object, problem: str | None) -> None:
    assert text_problem(value) == problem


def test_the_longest_text_is_checked_before_it_is_scanned() -> None:
    assert text_problem("\x00" * (MAX_STRING + 1)) == TOO_LONG


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ('{ a(b: "fine") }', None),
        ('{ a(b: "\\u00e9") }', None),
        ('{ a(b: "\\u0000") }', NUL),
        ('{ a(b: {c: ["\\u{0}"]}) }', NUL),
        ('query($v: String = "\\u0000") { a(b: $v) }', NUL),
        ('# \\u0000 in a comment is not text anyone stores\n{ a(b: "fine") }', None),
        (f'{{ a(b: "{"x" * (MAX_STRING + 1)}") }}', TOO_LONG),
        (f'{{ a(b: """{"x" * (MAX_STRING + 1)}""") }}', TOO_LONG),
    ],
)
def test_literal_problem(query: str, problem: str | None) -> None:
    assert literal_problem(query, graphql.parse(query)) == problem


def test_a_query_or_operation_name_that_is_not_utf8_is_refused_before_parsing() -> None:
    assert request_text_problem("{ __typename }", None) is None
    for query, name in (("{ __typename } # \ud800", None), ("query Q { __typename }", "\ud800")):
        error = request_text_problem(query, name)
        assert error is not None
        assert error.extensions == {"code": "BAD_USER_INPUT"}


@strawberry.type
class Query:
    @strawberry.field
    def echo(self, text: str) -> str:
        raise AssertionError("refused text must not reach a resolver")


SCHEMA = strawberry.Schema(query=Query, extensions=[RejectUnstorableText])


@pytest.mark.parametrize(
    ("text", "extensions"),
    [
        ("\x00", {"code": "BAD_USER_INPUT"}),
        ("\ud800", {"code": "BAD_USER_INPUT"}),
        ("x" * (MAX_STRING + 1), {"code": "BAD_USER_INPUT", "limit": MAX_STRING}),
    ],
)
def test_the_extension_refuses_before_any_resolver_runs(text: str, extensions: dict[str, object]) -> None:
    result = SCHEMA.execute_sync("query($t: String!) { echo(text: $t) }", variable_values={"t": text})
    assert result.data is None
    assert result.errors is not None
    assert [e.extensions for e in result.errors] == [extensions]


async def test_nul_characters_are_bad_input_and_reach_no_store(http: httpx.AsyncClient) -> None:
    """PostgreSQL cannot store NUL in text: refused up front, in literals and in variables alike."""
    literal = await post_graphql(http, '{ course(contentId: "course:\\u0000") { id } }')
    variable = await post_graphql(
        http, "query($t: String) { courses(filter: {tag: $t}) { totalCount } }", {"t": "a\x00"}
    )
    for response in (literal, variable):
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "data" not in body
        assert body["extensions"]["roundTrips"] == {"postgres": 0, "mongodb": 0}


async def _refused_before_any_store(
    http: httpx.AsyncClient, payload: dict[str, Any], code: str = "BAD_USER_INPUT"
) -> Any:
    """Send a request given as its JSON fields (text UTF-8 cannot hold included) and check it ran nothing."""
    response = await post_graphql(
        http,
        payload["query"],
        payload.get("variables"),
        operation_name=payload.get("operationName"),
        extensions=payload.get("extensions"),
    )
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
    error = await _refused_before_any_store(http, payload)
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
        error = await _refused_before_any_store(http, payload)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "limit": MAX_STRING}
    # At the bound the string is an ordinary id: looked up, and not found.
    at_bound = (await post_graphql(http, COURSE, {"c": "x" * MAX_STRING})).json()
    assert [e["extensions"]["code"] for e in at_bound["errors"]] == ["NOT_FOUND"]


async def test_nul_in_a_default_value_is_bad_input(http: httpx.AsyncClient) -> None:
    query = 'query($c: String = "course:\\u0000") { course(contentId: $c) { id } }'
    await _refused_before_any_store(http, {"query": query})
