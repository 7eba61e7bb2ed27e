"""Planned execution answers exactly as graphql-core does: data, errors, paths, locations, order.

A small schema exercises what the gateway's schema has and more: async resolvers and loaders'
awaitables, interfaces and unions, lists of non-null items, errors raised by resolvers at every
depth (and null propagation through non-null fields and list items), resolvers that hand back
wrong types, arguments from variables (and invalid ones), aliases, fragments, `__typename`, and
`@skip`/`@include` on variables, whose values give an operation more than one plan.
The gateway's own operations are compared in tests/graphql/execution/test_planned_gateway.py.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import pytest
import strawberry

from learnhub.graphql.execution.compiled import executor_for


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class Tag:
    name: str
    weight: int | None = None


@strawberry.type
class Book(Node):
    title: str
    pages: int
    tags: list[Tag]
    broken_attribute: int | None = None

    @strawberry.field
    def shout(self) -> str:
        return self.title.upper()

    @strawberry.field
    async def late_title(self) -> str:
        await asyncio.sleep(0)
        return self.title

    @strawberry.field
    def fails(self) -> str | None:
        raise ValueError(f"no luck with {self.title}")

    @strawberry.field
    def must(self) -> str:
        if self.title == "Bad":
            raise ValueError("a required field failed")
        return "ok"

    @strawberry.field
    async def must_later(self) -> str:
        await asyncio.sleep(0)
        if self.title == "Bad":
            raise ValueError("a required field failed later")
        return "ok"

    @strawberry.field
    def null_required(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field
    def wrong_type(self) -> int:
        return "not a number"  # type: ignore[return-value]

    @strawberry.field
    def tags_with_hole(self) -> list[Tag]:
        return [*self.tags, None]  # type: ignore[list-item]

    @strawberry.field
    def greeting(self, name: str, times: int = 1) -> str:
        return f"{self.title} greets {name}" * times

    @strawberry.field
    def info_path(self, info: strawberry.Info) -> str:
        return ".".join(str(key) for key in info.path.as_list())


@strawberry.type
class Film(Node):
    title: str
    minutes: int


Media = Annotated[Book | Film, strawberry.union("Media")]


BOOKS = [
    Book(id=strawberry.ID("b1"), title="Dune", pages=412, tags=[Tag(name="sf", weight=3), Tag(name="classic")]),
    Book(id=strawberry.ID("b2"), title="Bad", pages=1, tags=[]),
    Book(id=strawberry.ID("b3"), title="Emma", pages=474, tags=[Tag(name="romance", weight=1)]),
]
FILMS = [Film(id=strawberry.ID("f1"), title="Alien", minutes=117)]


class NotABook:
    id = "x"
    title = "impostor"


@strawberry.type
class Query:
    @strawberry.field
    def books(self) -> list[Book]:
        return BOOKS

    @strawberry.field
    def maybe_books(self) -> list[Book | None]:
        return [*BOOKS, None]

    @strawberry.field
    async def later_books(self) -> list[Book] | None:
        await asyncio.sleep(0)
        return BOOKS

    @strawberry.field
    def nodes(self) -> list[Node]:
        return [*BOOKS, *FILMS]

    @strawberry.field
    def cast_nodes(self) -> list[Node]:
        # Same class, different types: a cast object resolves to its cast, not its class.
        return [*FILMS, strawberry.cast(Film, Book(id=strawberry.ID("c1"), title="Cast", pages=1, tags=[])), *BOOKS]

    @strawberry.field
    def media(self) -> list[Media | None]:
        return [*BOOKS, *FILMS]

    @strawberry.field
    def book(self, index: int) -> Book | None:
        return BOOKS[index] if 0 <= index < len(BOOKS) else None

    @strawberry.field
    def impostor(self) -> Book | None:
        return NotABook()  # type: ignore[return-value]

    @strawberry.field
    def not_a_list(self) -> list[int] | None:
        return 5  # type: ignore[return-value]

    @strawberry.field
    def numbers(self) -> list[int | None]:
        return [1, 2**40, 3]


CASES: list[tuple[str, dict[str, Any]]] = [
    ("{ books { id title pages tags { name weight } } }", {}),
    ("{ books { t: title again: title shout lateTitle __typename } }", {}),
    ("{ books { title fails } }", {}),
    ("{ books { title must } }", {}),  # a non-null error nulls the list (items are non-null)
    ("{ maybeBooks { title must } }", {}),  # ... or only the item
    ("{ maybeBooks { title mustLater } }", {}),
    ("{ laterBooks { title mustLater } books { title } }", {}),
    ("{ maybeBooks { nullRequired } }", {}),
    ("{ maybeBooks { title wrongType } }", {}),
    ("{ books { tagsWithHole { name } } }", {}),
    ("{ nodes { id __typename ... on Book { title pages } ... on Film { minutes } } }", {}),
    ("{ castNodes { id __typename ... on Film { title minutes } ... on Book { pages } } }", {}),
    ("{ media { __typename ... on Book { title shout } ... on Film { title minutes } } }", {}),
    ("{ media { ...B } } fragment B on Book { title tags { ...T } } fragment T on Tag { name }", {}),
    ("query($i: Int!) { book(index: $i) { title } other: book(index: 2) { title } }", {"i": 0}),
    ("query($i: Int!) { book(index: $i) { title } }", {"i": 7}),
    ("query($n: String!) { books { greeting(name: $n, times: 2) } }", {"n": "Ann"}),
    ("query($n: String!) { books { greeting(name: $n) } }", {}),  # missing variable
    ("query($yes: Boolean!) { books { title @include(if: $yes) pages @skip(if: $yes) } }", {"yes": True}),
    ("query($yes: Boolean!) { books { title @include(if: $yes) pages @skip(if: $yes) } }", {"yes": False}),
    ("{ books { title @skip(if: true) pages @include(if: false) id } }", {}),
    ("{ impostor { title } }", {}),
    ("{ notAList }", {}),
    ("{ numbers }", {}),
    ("{ books { infoPath tags { name } } }", {}),
    ("{ books { brokenAttribute } }", {}),
    ("{ __typename books { __typename } }", {}),
]


def _schema(*, planned: bool) -> strawberry.Schema:
    schema = strawberry.Schema(query=Query, types=[Book, Film])
    schema.execution_context_class = executor_for(schema._schema, planned=planned)
    return schema


PLANNED = _schema(planned=True)
REFERENCE = _schema(planned=False)


async def _answer(schema: strawberry.Schema, query: str, variables: dict[str, Any]) -> str:
    result = await schema.execute(query, variable_values=variables)
    errors = [error.formatted for error in result.errors or []]
    # As sent: key order counts, so the JSON text is compared.
    return json.dumps({"data": result.data, "errors": errors})


@pytest.mark.parametrize(("query", "variables"), CASES)
async def test_planned_execution_answers_as_graphql_core(query: str, variables: dict[str, Any]) -> None:
    assert await _answer(PLANNED, query, variables) == await _answer(REFERENCE, query, variables)


async def test_the_plans_are_used_and_kept() -> None:
    schema = _schema(planned=True)
    plans = schema.execution_context_class.plans  # type: ignore[attr-defined]
    document = "query($yes: Boolean!) { books { title @include(if: $yes) } }"
    for _ in range(3):
        await schema.execute(document, variable_values={"yes": True})
    await schema.execute(document, variable_values={"yes": False})
    # Strawberry parses the text each time here (no document cache): one plan per parsed node.
    assert plans.compiled == 4
    assert plans.unsupported == 0


async def test_what_plans_do_not_express_runs_on_graphql_core() -> None:
    schema = _schema(planned=True)
    plans = schema.execution_context_class.plans  # type: ignore[attr-defined]
    introspection = "{ __schema { queryType { name } } }"
    planned, reference = await _answer(schema, introspection, {}), await _answer(REFERENCE, introspection, {})
    assert planned == reference
    assert json.loads(planned)["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    assert plans.unsupported == 1
