"""The text rules of schema/input_guard.py, in-process: one rule per test."""

from __future__ import annotations

import graphql
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
