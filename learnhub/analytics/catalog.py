"""Which events exist, and the rules a batch of client events must pass before anything is kept.

A batch is checked whole before any of it is buffered, so a bad batch writes nothing: the first
problem found is raised with its index in the batch.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson

from learnhub.core.errors import (
    AnalyticsBatchTooLarge,
    AnalyticsContextTooLarge,
    AnalyticsEntityInvalid,
    AnalyticsEventUnknown,
)
from learnhub.core.ids import uuid7

# What apps may send. Learning outcomes are not among them: the server records those itself,
# after the flow that made them committed, so a client cannot inflate completions or scores.
CLIENT_EVENTS = frozenset(
    {
        "lesson_viewed",
        "video_played",
        "video_paused",
        "video_completed",
        "search_performed",
        "share_link_opened",
        "quiz_viewed",
        "course_viewed",
        "attachment_downloaded",
    }
)
SERVER_EVENTS = frozenset({"lesson_completed", "quiz_submitted", "course_completed", "enrolled", "payment_succeeded"})

# One call carries at most this many events: a mobile app's offline queue flushes in pages of 100.
MAX_EVENTS = 100
# Bytes of a context as compact JSON. 4 KiB holds any screen's worth of properties; a 100-event
# call then stays under 0.5 MB, inside the 1 MB request body limit.
MAX_CONTEXT_BYTES = 4096
# Clock skew: a phone's clock or an offline queue. Older than a week or more than five minutes
# ahead is clamped to that bound and flagged (`clamped`), so a wrong clock cannot put events into
# rollups long closed or into days not yet lived.
MAX_PAST = timedelta(days=7)
MAX_FUTURE = timedelta(minutes=5)

# `lesson:rest-intro`, `course:rest-api-design`, `quiz:rest-basics`.
ENTITY = re.compile(r"^(course|lesson|quiz):[A-Za-z0-9][A-Za-z0-9._-]{0,190}$")


@dataclass(frozen=True)
class ClientEvent:
    """One event as a client sent it."""

    name: str
    occurred_at: datetime
    entity_id: str | None = None
    context: Any = None


@dataclass(frozen=True)
class Event:
    """One event ready to be written: the columns of `analytics_events`."""

    name: str
    source: str
    user_id: uuid.UUID | None
    course_id: str | None
    entity_id: str | None
    occurred_at: datetime
    received_at: datetime
    clamped: bool = False
    value: float | None = None
    context: dict[str, Any] = field(default_factory=dict)
    id: uuid.UUID = field(default_factory=uuid7)

    def record(self) -> tuple[Any, ...]:
        """The row in COLUMNS order, context as JSON text (what COPY sends for jsonb)."""
        return (
            self.id,
            self.name,
            self.source,
            self.user_id,
            self.course_id,
            self.entity_id,
            self.occurred_at,
            self.received_at,
            self.clamped,
            self.value,
            orjson.dumps(self.context).decode(),
        )


COLUMNS = (
    "id",
    "name",
    "source",
    "user_id",
    "course_id",
    "entity_id",
    "occurred_at",
    "received_at",
    "clamped",
    "value",
    "context",
)


def clamp(occurred_at: datetime, now: datetime) -> tuple[datetime, bool]:
    """The time to keep and whether it was moved into [now - MAX_PAST, now + MAX_FUTURE]."""
    if occurred_at.tzinfo is None:  # a naive time is read as UTC, as the DateTime scalar does
        occurred_at = occurred_at.replace(tzinfo=now.tzinfo)
    if occurred_at < now - MAX_PAST:
        return now - MAX_PAST, True
    if occurred_at > now + MAX_FUTURE:
        return now + MAX_FUTURE, True
    return occurred_at, False


def context_problem(context: Any) -> str | None:
    """Why a context cannot be kept, if it cannot: an object of at most MAX_CONTEXT_BYTES."""
    if context is None:
        return None
    if not isinstance(context, dict):
        return "context must be a JSON object"
    if len(orjson.dumps(context)) > MAX_CONTEXT_BYTES:
        return f"context is over {MAX_CONTEXT_BYTES} bytes as JSON"
    return None


def check_batch(events: list[ClientEvent]) -> None:
    """Raise the batch's first problem (count, name, entity id shape, context); None when all pass."""
    if len(events) > MAX_EVENTS:
        raise AnalyticsBatchTooLarge(
            f"Send at most {MAX_EVENTS} events per call ({len(events)} sent)", limit=MAX_EVENTS, count=len(events)
        )
    for index, event in enumerate(events):
        if event.name not in CLIENT_EVENTS:
            known = ", ".join(sorted(CLIENT_EVENTS))
            raise AnalyticsEventUnknown(
                f"events[{index}]: {event.name[:64]!r} is not an event apps may send (one of: {known})", index=index
            )
        if event.entity_id is not None and not ENTITY.match(event.entity_id):
            raise AnalyticsEntityInvalid(
                f"events[{index}]: entityId must be a course, lesson or quiz content id (`lesson:rest-intro`)",
                index=index,
            )
        if (problem := context_problem(event.context)) is not None:
            raise AnalyticsContextTooLarge(f"events[{index}]: {problem}", index=index, limit=MAX_CONTEXT_BYTES)
