"""Offline sync: everything that changed for a user since a cursor, oldest first, in pages.

The cursor is a keyset position over every source at once: (changed at, source, id), that of
the last change handed out. Each source reads at most a page and a row past the position; the
merged, ordered rows are cut at the page size, so paging never skips or repeats a row whatever
the sources' mix. Rows of the last `sync_settle_seconds` are not handed out yet: a row stamped
at time t may commit a little after t, and a cursor taken in between would pass it by.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.engine import RowMapping

from learnhub.datasources.mongo.content import collection
from learnhub.datasources.mongo.documents import CourseContent
from learnhub.datasources.postgres import changes
from learnhub.datasources.postgres.changes import Position
from learnhub.datasources.postgres.courses import CourseScope
from learnhub.datasources.postgres.tables import utcnow
from learnhub.datasources.stores import Stores

MAX_PAGE = 500
DEFAULT_PAGE = 100
_ALL_SOURCES = changes.CONTENT + 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SyncCursorInvalid(ValueError):
    pass


@dataclass(frozen=True)
class Change:
    source: int
    at: datetime
    id: str
    row: RowMapping | dict[str, Any]

    @property
    def position(self) -> Position:
        return Position(self.at, self.source, self.id)


@dataclass(frozen=True)
class Page:
    changes: list[Change]
    cursor: str
    has_more: bool


def encode_cursor(position: Position) -> str:
    raw = orjson.dumps([position.at.isoformat(), position.source, position.id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    try:
        at, source, row_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position = Position(datetime.fromisoformat(at), int(source), str(row_id))
    except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError):
        raise SyncCursorInvalid("Not a cursor of changesSince") from None
    if position.at.tzinfo is None or not 0 <= position.source <= _ALL_SOURCES or len(position.id) > 100:
        raise SyncCursorInvalid("Not a cursor of changesSince")
    return position


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _after(change: Change, position: Position | None) -> bool:
    if position is None:
        return True
    return (change.at, change.source, change.id) > (position.at, position.source, position.id)


async def _content_changes(
    stores: Stores, user_id: uuid.UUID, *, scope: CourseScope, position: Position | None, until: datetime, limit: int
) -> list[Change]:
    """Content versions of the user's courses (MongoDB), as changes of source CONTENT."""
    courses = {row["content_id"]: row for row in await changes.enrolled_courses(stores.engine, user_id, scope)}
    if not courses:
        return []
    query: dict[str, Any] = {"_id": {"$in": list(courses)}, "updated_at": {"$lte": until}}
    if position is not None:
        query["updated_at"]["$gte"] = position.at
    found = collection(stores.mongo_db, CourseContent).find(
        query, {"version": 1, "updated_at": 1}, sort=[("updated_at", 1), ("_id", 1)], limit=limit + 1
    )
    result = []
    async for doc in found:
        row = {"course_id": courses[doc["_id"]]["id"], "content_id": doc["_id"], "version": int(doc.get("version", 1))}
        change = Change(changes.CONTENT, _aware(doc["updated_at"]), doc["_id"], row | {"updated_at": doc["updated_at"]})
        if _after(change, position):
            result.append(change)
    return result[:limit]


async def changes_since(stores: Stores, user_id: uuid.UUID, scope: CourseScope, cursor: str | None, first: int) -> Page:
    """`scope`: the courses the reader may see (auth/visibility.py `course_scope`)."""
    position = decode_cursor(cursor) if cursor is not None else None
    until = utcnow() - timedelta(seconds=stores.settings.sync_settle_seconds)
    if position is not None and position.at > until:
        until = position.at  # a cursor handed out under a shorter settle time never moves back
    limit = first + 1
    engine = stores.engine
    found: list[Change] = []
    for source in changes.sources(user_id, scope):
        for row in await changes.read(engine, source, position, until, limit):
            found.append(Change(source.rank, _aware(row["changed_at"]), row["change_id"], row))
    found += await _content_changes(stores, user_id, scope=scope, position=position, until=until, limit=limit)
    found.sort(key=lambda c: (c.at, c.source, c.id))
    page, has_more = found[:first], len(found) > first
    # The last change handed out, not the read bound: the same changes give the same cursor
    # whenever they are read.
    last = page[-1].position if page else (position or Position(_EPOCH, 0, ""))
    return Page(await _with_versions(stores, page), encode_cursor(last), has_more)


async def _with_versions(stores: Stores, page: list[Change]) -> list[Change]:
    """A course published again comes back with its content version (one read for the page)."""
    republished = [c for c in page if c.source == changes.COURSE and c.row["published"]]
    if not republished:
        return page
    ids = [c.row["content_id"] for c in republished]
    docs = collection(stores.mongo_db, CourseContent).find({"_id": {"$in": ids}}, {"version": 1})
    versions = {doc["_id"]: int(doc.get("version", 1)) async for doc in docs}
    result = []
    for change in page:
        if change in republished:
            row = {"course_id": change.row["id"], "content_id": change.row["content_id"], "published": True,
                   "version": versions.get(change.row["content_id"], 1)}  # fmt: skip
            result.append(Change(change.source, change.at, change.id, row))
        else:
            result.append(change)
    return result
