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

from sqlalchemy import Column, Select, func
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres.sql import fetch_all, fetch_value


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: uuid.UUID | None = None  # the key of the previous page's last row; None: the first page


@dataclass(frozen=True)
class Page:
    rows: Sequence[RowMapping]
    has_next: bool
    keys: Sequence[uuid.UUID]  # each row's key, in row order: what a following page starts after


@dataclass(frozen=True)
class Listing:
    """The rows of one list: `rows` selects them (columns, joins, filters; no order or limit),
    ordered and paged on `key`, newest first unless told otherwise."""

    rows: Select[Any]
    key: Column[Any]
    newest_first: bool = True

    async def page(self, engine: AsyncEngine, request: PageRequest) -> Page:
        """One page, in one statement: it fetches one extra row to learn whether another page follows."""
        stmt, key = self.rows, self.key
        if request.after is not None:
            stmt = stmt.where(key < request.after if self.newest_first else key > request.after)
        order = key.desc() if self.newest_first else key.asc()
        fetched = await fetch_all(engine, stmt.order_by(order).limit(request.first + 1))
        rows = fetched[: request.first]
        return Page(rows=rows, has_next=len(fetched) > request.first, keys=[row[key] for row in rows])

    async def count(self, engine: AsyncEngine) -> int:
        """Rows in the whole list. The columns give way to count(*), and their tables stay in the
        FROM list: the same FROM and WHERE as the page's statement."""
        stmt = self.rows.with_only_columns(func.count(), maintain_column_froms=True)
        return int(await fetch_value(engine, stmt))
