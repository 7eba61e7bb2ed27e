"""Opaque cursors: a kind prefix and a key, base64url without padding.

The prefix (with a version, `c1:`) tells one list's cursors from another's, so a cursor handed
to the wrong list is refused instead of paging from an unrelated key. The stores page on the
plain key; only this layer knows cursors, and answers a bad one with BAD_USER_INPUT.
"""

from __future__ import annotations

import base64
import binascii
import uuid

from learnhub.core.errors import BadUserInput

# Rows paged on their time-ordered UUIDv7 primary key (datasources/postgres/pagination.py).
ROW_CURSOR = "c1:"


def encode_cursor(prefix: str, value: object) -> str:
    return base64.urlsafe_b64encode(f"{prefix}{value}".encode()).decode().rstrip("=")


def _not_a_cursor(argument: str) -> BadUserInput:
    return BadUserInput(f"`{argument}` is not a cursor returned by this API", argument=argument)


def decode_cursor(prefix: str, cursor: str, argument: str = "after") -> str:
    """The key inside a cursor made by `encode_cursor(prefix, key)`; BAD_USER_INPUT for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _not_a_cursor(argument) from exc
    if not raw.startswith(prefix):
        raise _not_a_cursor(argument)
    return raw[len(prefix) :]


def row_cursor(row_id: uuid.UUID) -> str:
    return encode_cursor(ROW_CURSOR, row_id)


def row_after(cursor: str, argument: str = "after") -> uuid.UUID:
    """The row id inside a cursor made by `row_cursor`."""
    key = decode_cursor(ROW_CURSOR, cursor, argument)
    try:
        return uuid.UUID(key)
    except ValueError as exc:
        raise _not_a_cursor(argument) from exc
