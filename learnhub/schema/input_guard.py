"""Text no store can take: PostgreSQL refuses NUL characters in text, so they are refused first."""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError

# A GraphQL string literal can hold NUL only through an escape: the lexer refuses the raw character.
_NUL_ESCAPE = re.compile(r"\\u(?:0000|\{0+\})")


def contains_nul(value: object) -> bool:
    """True when any string inside a variables value holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_nul(v) for v in value)
    return False


class RejectNulText(SchemaExtension):
    """Refuse an operation whose literals or variables carry NUL, before anything runs, instead of
    letting PostgreSQL fail mid-request with an internal error."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None and (_NUL_ESCAPE.search(context.query or "") or contains_nul(context.variables)):
            error = GraphQLError(
                "Text must not contain NUL (\\u0000) characters", extensions={"code": "BAD_USER_INPUT"}
            )
            context.result = PreExecutionError(data=None, errors=[error])
        yield
