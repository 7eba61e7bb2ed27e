"""The Typesense collections: one per kind, versioned, reached through aliases.

`<prefix>_<kind>` is an alias; the collection behind it is `<prefix>_<kind>_<stamp>`. A reindex
fills new collections while searches use the old ones, then points the aliases at the new
ones in one call each: no moment without an index.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from learnhub.core.settings import Settings

Kind = Literal["course", "lesson", "question"]
KINDS: tuple[Kind, ...] = ("course", "lesson", "question")

# Fields shared by every kind. `key` repeats the document id because filters cannot name `id`
# on this Typesense version; `visible_to` holds "public" and "user:<instructor id>" (see
# search/documents.py), so one filter applies the visibility rule.
_COMMON: list[dict[str, Any]] = [
    {"name": "key", "type": "string"},
    {"name": "course_id", "type": "string", "facet": True},
    {"name": "visible_to", "type": "string[]"},
    {"name": "tags", "type": "string[]", "facet": True},
    {"name": "level", "type": "string", "facet": True},
    {"name": "content_version", "type": "int32", "index": False, "optional": True},
]

FIELDS: dict[Kind, list[dict[str, Any]]] = {
    "course": [
        {"name": "title", "type": "string"},
        {"name": "summary", "type": "string"},
        {"name": "description", "type": "string"},
        {"name": "outline", "type": "string[]"},  # module and lesson titles
    ],
    "lesson": [
        {"name": "title", "type": "string"},
        {"name": "summary", "type": "string"},
        {"name": "body", "type": "string"},
        {"name": "course_title", "type": "string"},
        {"name": "preview", "type": "bool"},
    ],
    "question": [
        # The prompt only: options can hold the correct answer, so nothing matches on them.
        {"name": "prompt", "type": "string"},
        {"name": "difficulty", "type": "string", "facet": True},
        {"name": "course_ids", "type": "string[]"},
    ],
}

# Searched fields, most telling first, with Typesense's relative weights (0-127).
QUERY_BY: dict[Kind, tuple[tuple[str, int], ...]] = {
    "course": (("title", 8), ("tags", 6), ("summary", 4), ("outline", 3), ("description", 2)),
    "lesson": (("title", 8), ("summary", 5), ("body", 3), ("course_title", 1)),
    "question": (("prompt", 5), ("tags", 2)),
}
# The text a hit's title and snippet come from.
TITLE_FIELD: dict[Kind, str] = {"course": "title", "lesson": "title", "question": "prompt"}
SNIPPET_FIELDS: dict[Kind, tuple[str, ...]] = {
    "course": ("summary", "description", "title"),
    "lesson": ("body", "summary", "title"),
    "question": ("prompt",),
}

# Common student words and misspellings beyond two typos, in both directions where they mean
# the same thing; one-way (root) where a short form should find the long one only.
SYNONYMS: list[dict[str, Any]] = [
    {"id": "postgres", "synonyms": ["postgres", "postgresql", "psql", "pg"]},
    {"id": "javascript", "synonyms": ["javascript", "js", "ecmascript"]},
    {"id": "database", "synonyms": ["database", "db", "databases"]},
    {"id": "error", "synonyms": ["error", "errors", "exception", "exceptions", "failure"]},
    {"id": "graphql", "synonyms": ["graphql", "gql"]},
    {"id": "asynchronous", "synonyms": ["async", "asynchronous", "await", "coroutine", "coroutines"]},
    {"id": "function", "synonyms": ["function", "functions", "func", "def"]},
    {"id": "endpoint", "synonyms": ["endpoint", "endpoints", "route", "routes"]},
    {"id": "auth", "synonyms": ["auth", "authentication", "login", "sign-in"]},
    {"id": "pagination", "synonyms": ["pagination", "paging", "paginate"]},
    {"id": "index", "synonyms": ["index", "indexes", "indices"]},
    {"id": "decorator", "synonyms": ["decorator", "decorators", "wrapper"]},
    {"id": "typehints", "synonyms": ["type hints", "annotations", "typing"]},
    {"id": "sql-query", "root": "query", "synonyms": ["select"]},
    {"id": "python", "root": "py", "synonyms": ["python"]},
    {"id": "http-status", "root": "status", "synonyms": ["status code"]},
]


def alias(settings: Settings, kind: Kind) -> str:
    return f"{settings.search_collection_prefix}_{kind}"


def versioned(settings: Settings, kind: Kind) -> str:
    """A new collection's name behind the alias: `<alias>_<microseconds>`."""
    return f"{alias(settings, kind)}_{time.time_ns() // 1000}"


def quoted(value: str) -> str:
    """A filter value: backticks keep ':' and '-' of content ids literal."""
    return "`" + value.replace("`", "") + "`"


def one_of(values: Iterable[str]) -> str:
    """A filter's list of values: `[`a`,`b`]`."""
    return "[" + ",".join(quoted(v) for v in values) + "]"


def schema(name: str, kind: Kind) -> Mapping[str, Any]:
    return {"name": name, "fields": [*_COMMON, *FIELDS[kind]], "token_separators": ["-", "_", "/", "."]}
