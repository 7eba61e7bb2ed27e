"""Keyset pagination on time-ordered UUIDv7 primary keys: stable under inserts, O(limit) per page."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Select
from sqlalchemy.engine import RowMapping

from learnhub.core.errors import BadUserInput

_PREFIX = "c1:"


def encode_cursor(row_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{row_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith(_PREFIX):
            raise ValueError(cursor)
        return uuid.UUID(raw[len(_PREFIX) :])
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadUserInput("`after` is not a cursor returned by this API", argument="after") from exc


@dataclass(frozen=True)
class PageRequest:
    first: int
    after: uuid.UUID | None = None


@dataclass(frozen=True)
class Page:
    rows: Sequence[RowMapping]
    has_next: bool


def keyset(stmt: Select[Any], id_column: Column[Any], page: PageRequest, *, newest_first: bool = True) -> Select[Any]:
    """Limit `stmt` to one page, fetching one extra row to learn whether another page follows."""
    if page.after is not None:
        stmt = stmt.where(id_column < page.after if newest_first else id_column > page.after)
    order = id_column.desc() if newest_first else id_column.asc()
    return stmt.order_by(order).limit(page.first + 1)


def to_page(rows: Sequence[RowMapping], page: PageRequest) -> Page:
    return Page(rows=rows[: page.first], has_next=len(rows) > page.first)
