"""Values a page fetched for its items in one batch, and fields that use them without awaiting.

A field whose data usually arrives with its page (a lesson's progress, a course's content) is
a plain function, not a coroutine: with the value at hand it completes at once, with no task
per item. When nobody fetched it, the function hands graphql-core an awaitable, which it awaits.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar, cast

T = TypeVar("T")


class NotFetched:
    """Marks a value nobody fetched yet (None would mean "fetched, and there is none")."""


NOT_FETCHED = NotFetched()


def later(awaitable: Awaitable[T]) -> T:
    """An awaitable returned from a plain resolver. Strawberry reads the resolver's annotation for
    the field's type, so the awaitable is typed as its result; graphql-core awaits it."""
    return cast(T, awaitable)
