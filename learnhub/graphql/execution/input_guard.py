"""Text no store can take, refused before any store sees it, with BAD_USER_INPUT.

- NUL characters: PostgreSQL refuses them in text, mid-request, with an internal error.
- Lone UTF-16 surrogates (a JSON body may carry `"\\ud800"`): they cannot be encoded as UTF-8, so
  asyncpg, pymongo, redis-py, hashing and the JSON encoder of the response all fail on them.
- Strings over MAX_STRING characters: every hash, regex and lookup of such a string is work done
  for an input that no field accepts.

The same rules serve GraphQL (variables and literals, in `RejectUnstorableText`; the query text and
operation name in the HTTP view, before persisted queries hash them) and the REST routes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError

from learnhub.authoring.validation import MAX_TEXT

# A backstop for every string argument, variable and REST parameter: the longest text any field
# stores is a question prompt or lesson block (MAX_TEXT, 20,000 characters), and fields check their
# own, smaller limits with their own errors. 2.5 times that keeps those errors for text pasted well
# past a field's limit. At this length the work before the refusal is small: graphql-core lexes a
# literal at about 0.3 µs a character (a 1 MB literal took 0.3 s), so 15 ms at most.
MAX_STRING: Final = MAX_TEXT * 5 // 2  # 50,000

NUL: Final = "Text must not contain NUL (\\u0000) characters"
NOT_UTF8: Final = "Text must be valid Unicode: a lone surrogate (\\ud800 to \\udfff) cannot be encoded as UTF-8"
TOO_LONG: Final = f"Text must be at most {MAX_STRING:,} characters"

_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> bool:
    """True when `text` can be encoded as UTF-8 (it holds no lone surrogate)."""
    return text.isascii() or _SURROGATE.search(text) is None


def string_problem(text: str) -> str | None:
    """Why no store can take this string, or None. Length first: it costs nothing to check."""
    if len(text) > MAX_STRING:
        return TOO_LONG
    if "\x00" in text:
        return NUL
    if not encodable(text):
        return NOT_UTF8
    return None


def text_problem(value: object) -> str | None:
    """The first problem of any string inside a variables value (object keys included), or None."""
    if isinstance(value, str):
        return string_problem(value)
    if isinstance(value, dict):
        for key, item in value.items():
            if problem := text_problem(key) or text_problem(item):
                return problem
    elif isinstance(value, list):
        for item in value:
            if problem := text_problem(item):
                return problem
    return None


def bad_input(problem: str) -> GraphQLError:
    extensions: dict[str, object] = {"code": "BAD_USER_INPUT"}
    if problem == TOO_LONG:
        extensions["limit"] = MAX_STRING
    return GraphQLError(problem, extensions=extensions)


def request_text_problem(query: str | None, operation_name: str | None) -> GraphQLError | None:
    """The refusal of a request whose query or operation name cannot be encoded as UTF-8: before it
    is parsed, hashed for a persisted query, or quoted back in an error the response cannot encode."""
    if any(text is not None and not encodable(text) for text in (query, operation_name)):
        return bad_input(NOT_UTF8)
    return None


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.problem: str | None = None

    def enter_string_value(self, node: StringValueNode, *_: object) -> object:
        self.problem = string_problem(node.value)
        return self.BREAK if self.problem else None


def literal_problem(query: str, document: DocumentNode) -> str | None:
    """The first problem of a string literal in the document (default values included), or None.

    The lexer refuses a raw NUL and a lone surrogate, also as an escape, so only a `\\u0000` escape
    or a long literal can get past it: documents with neither are not walked.
    """
    if "\\u" not in query and len(query) <= MAX_STRING:
        return None
    literals = _Literals()
    visit(document, literals)
    return literals.problem


class RejectUnstorableText(SchemaExtension):
    """Refuse an operation whose literals or variables hold text no store can take, before anything
    runs, instead of letting a driver fail mid-request with an internal error. (A lone surrogate in
    the query text never gets this far: the lexer refuses it anywhere, comments included.)"""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.result is None:
            problem = text_problem(context.variables)
            if problem is None and context.query is not None and context.graphql_document is not None:
                problem = literal_problem(context.query, context.graphql_document)
            if problem is not None:
                context.result = PreExecutionError(data=None, errors=[bad_input(problem)])
        yield
