"""The plain-field executor answers exactly as graphql-core's own path, errors included."""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from learnhub.graphql.execution.plain_fields import executor_for, plain_fields
from learnhub.graphql.schema import build_schema


@strawberry.enum
class Level(enum.Enum):
    BEGINNER = "beginner"
    ADVANCED = "advanced"


@strawberry.type
class Item:
    name: str
    nickname: str | None
    count: int
    ratio: float | None
    level: Level
    maybe_level: Level | None

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


class Broken:
    """What a bug upstream could hand the executor: wrong types, missing attributes, nulls."""

    name = None  # null in a non-null field
    nickname = 12  # String coerces numbers
    count = "many"  # Int refuses this
    ratio = "half"  # Float refuses text
    level = "beginner"  # the enum's value, not a member
    # maybe_level is missing altogether


ITEMS: list[Any] = [
    Item(name="a", nickname=None, count=1, ratio=0.5, level=Level.BEGINNER, maybe_level=None),
    Item(name="b", nickname="bee", count=2**31, ratio=None, level=Level.ADVANCED, maybe_level=Level.ADVANCED),
    Broken(),
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS

    @strawberry.field
    def item(self) -> Item:
        return ITEMS[0]


QUERIES = [
    "{ items { name nickname count ratio level maybeLevel shout } }",
    "{ items { n: name again: name count } item { name } }",
    "query($yes: Boolean!) { items { name @include(if: $yes) count @skip(if: $yes) } }",
    "{ items { ... on Item { name level } ...F } } fragment F on Item { nickname maybeLevel }",
    "{ item { __typename name } }",
]


def _answer(schema: strawberry.Schema, query: str) -> dict[str, Any]:
    result = schema.execute_sync(query, variable_values={"yes": True})
    errors = sorted((e.message, tuple(e.path or ())) for e in result.errors or [])
    return {"data": result.data, "errors": errors}


@pytest.mark.parametrize("query", QUERIES)
def test_same_answer_as_graphql_core(query: str) -> None:
    reference = strawberry.Schema(query=Query, execution_context_class=StrawberryGraphQLCoreExecutionContext)
    fast = strawberry.Schema(query=Query)
    fast.execution_context_class = executor_for(fast._schema)
    assert fast.execution_context_class.plain, "the short path must be taken for this test to mean anything"
    assert _answer(fast, query) == _answer(reference, query)


def test_errors_still_reported() -> None:
    fast = strawberry.Schema(query=Query)
    fast.execution_context_class = executor_for(fast._schema)
    # 2**31 overflows Int; "half" is no Float; nullable fields become null, each with its error.
    answer = _answer(fast, "{ items { ratio count } }")
    assert {path for _, path in answer["errors"]} == {
        ("items", 1, "count"),
        ("items", 2, "count"),
        ("items", 2, "ratio"),
    }
    # A null in a non-null field nulls the whole item.
    answer = _answer(fast, "{ items { name } }")
    assert [path for _, path in answer["errors"]] == [("items", 2, "name")]
    assert answer["data"]["items"] == [{"name": "a"}, {"name": "b"}, None]


def test_guarded_and_resolved_fields_are_never_plain() -> None:
    schema = build_schema()
    plain = plain_fields(schema._schema)
    assert ("Lesson", "title") in plain
    assert ("Question", "prompt") not in plain  # an interface: its implementations' fields are
    assert ("SingleChoiceQuestion", "prompt") in plain
    assert ("User", "email") not in plain  # an access rule wraps it
    assert ("User", "disabled") not in plain
    assert ("Lesson", "progress") not in plain  # a resolver, and an object
    assert ("Course", "tags") not in plain  # a list
