"""Keyset pagination on time-ordered UUIDv7 primary keys: stable under inserts, O(limit) per page.

A list is one filtered select (`Listing`); its page and its count are both read from it, so
the two cannot disagree on which rows the list holds. Pages start after a plain key: turning
keys into cursors, and refusing bad ones, is the GraphQL layer's business.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.raw import Args, Row


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: uuid.UUID | None = None  # the key of the previous page's last row; None: the first page


@dataclass(frozen=True)
class Page:
    rows: Sequence[Row]
    has_next: bool
    keys: Sequence[uuid.UUID]  # each row's key, in row order: what a following page starts after


@dataclass(frozen=True)
class Listing:
    """The rows of one list: `columns` of `source` (a table or a join) where every condition of
    `where` holds (their parameters, `$1` on, in `args`), ordered and paged on `key` (a column
    of `source`, named as the rows name it after its last dot), newest first unless told otherwise."""

    columns: str
    source: str
    key: str
    where: tuple[str, ...] = ()
    args: tuple[Any, ...] = ()
    newest_first: bool = True

    @classmethod
    def of(cls, columns: str, source: str, key: str, where: Sequence[str], args: Args, **kw: Any) -> Listing:
        return cls(columns, source, key, tuple(where), tuple(args.values), **kw)

    async def page(self, engine: AsyncEngine, request: PageRequest) -> Page:
        """One page, in one statement: it fetches one extra row to learn whether another page follows."""
        args, where = Args(*self.args), list(self.where)
        if request.after is not None:
            where.append(f"{self.key} {'<' if self.newest_first else '>'} {args(request.after)}")
        order = f"ORDER BY {self.key} {'DESC' if self.newest_first else 'ASC'} LIMIT {args(request.first + 1)}"
        fetched = await raw.fetch(engine, raw.select(self.columns, self.source, *where, then=order), *args.values)
        rows = fetched[: request.first]
        name = self.key.rpartition(".")[2]
        return Page(rows=rows, has_next=len(fetched) > request.first, keys=[row[name] for row in rows])

    async def count(self, engine: AsyncEngine) -> int:
        """Rows in the whole list: the same FROM and WHERE as the page's statement."""
        return int(await raw.fetch_val(engine, raw.select("count(*)", self.source, *self.where), *self.args))
