"""Recording events: batches from apps (`trackEvents`) and single events from the server's own
flows (after they commit). Both go through the process's buffer (buffer.py)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.analytics import buffer
from learnhub.analytics.catalog import SERVER_EVENTS, ClientEvent, Event, check_batch, clamp
from learnhub.core.errors import AnalyticsEntityInvalid
from learnhub.datasources.stores import Stores
from learnhub.loaders.registry import Loaders

logger = logging.getLogger("learnhub.analytics")


@dataclass(frozen=True)
class Tracked:
    accepted: int
    clamped: int  # events whose time was moved into the accepted window


async def _courses_of(loaders: Loaders, events: Sequence[ClientEvent]) -> list[str | None]:
    """The course content id of each event's entity, loaded in one batch per kind; an entity the
    viewer cannot see (or that does not exist) refuses the whole batch."""
    wanted = {event.entity_id for event in events if event.entity_id is not None}
    found: dict[str, str] = {}
    course_ids = sorted(e for e in wanted if e.startswith("course:"))
    lesson_ids = sorted(e for e in wanted if e.startswith("lesson:"))
    quiz_ids = sorted(e for e in wanted if e.startswith("quiz:"))
    if course_ids:
        for key, row in zip(course_ids, await loaders.course_by_content_id.load_many(course_ids), strict=True):
            if row is not None:
                found[key] = row["content_id"]
    for ids, loader in ((lesson_ids, loaders.lesson_by_id), (quiz_ids, loaders.quiz_by_id)):
        if ids:
            for key, doc in zip(ids, await loader.load_many(ids), strict=True):
                if doc is not None and doc.get("course_id"):
                    found[key] = str(doc["course_id"])
    courses: list[str | None] = []
    for index, event in enumerate(events):
        if event.entity_id is None:
            courses.append(None)
        elif event.entity_id in found:
            courses.append(found[event.entity_id])
        else:
            raise AnalyticsEntityInvalid(f"events[{index}]: no such {event.entity_id.split(':')[0]}", index=index)
    return courses


async def track(stores: Stores, loaders: Loaders, user_id: uuid.UUID, events: Sequence[ClientEvent]) -> Tracked:
    """Check the whole batch, then buffer all of it; a bad batch raises and keeps nothing."""
    check_batch(list(events))
    courses = await _courses_of(loaders, events)
    now = datetime.now(UTC)
    accepted = []
    for event, course_id in zip(events, courses, strict=True):
        occurred_at, moved = clamp(event.occurred_at, now)
        accepted.append(
            Event(
                name=event.name,
                source="client",
                user_id=user_id,
                course_id=course_id,
                entity_id=event.entity_id,
                occurred_at=occurred_at,
                received_at=now,
                clamped=moved,
                context=dict(event.context or {}),
            )
        )
    await _keep(stores.engine, accepted)
    return Tracked(len(accepted), sum(e.clamped for e in accepted))


async def _keep(engine: AsyncEngine, events: Sequence[Event]) -> None:
    running = buffer.buffer_of(engine)
    if running is not None:
        await running.add(events)
    else:
        await buffer.write(engine, events)


async def record_server_event(
    engine: AsyncEngine,
    name: str,
    *,
    user_id: uuid.UUID | None,
    course_id: str | None,
    entity_id: str | None = None,
    value: float | None = None,
    context: Mapping[str, Any] | None = None,
) -> None:
    """Record an event of a server flow that has committed (`lesson_completed`, `quiz_submitted`,
    `course_completed`, `enrolled`, `payment_succeeded`). `course_id` and `entity_id` are content
    ids; `value` is what rollups aggregate (a score in percent, seconds to complete).

    Never raises: the flow already happened, and analytics must not turn it into an error. A
    failure is logged (the event is lost, as on a crash)."""
    if name not in SERVER_EVENTS:
        raise ValueError(f"{name!r} is not a server event")  # a programming error, not a runtime one
    now = datetime.now(UTC)
    event = Event(
        name=name,
        source="server",
        user_id=user_id,
        course_id=course_id,
        entity_id=entity_id,
        occurred_at=now,
        received_at=now,
        value=value,
        context=dict(context or {}),
    )
    try:
        await _keep(engine, [event])
    except Exception:
        logger.exception("recording the %s event failed", name)
