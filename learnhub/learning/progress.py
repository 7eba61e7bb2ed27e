"""Lesson progress, and completing a course when its last lesson is completed."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping

from learnhub.analytics.events import record_server_event
from learnhub.datasources.postgres import enrollments, progress
from learnhub.datasources.stores import Stores
from learnhub.loaders.registry import Loaders

# Seconds into a video (at most a day) or a 0..1 scroll fraction.
MAX_POSITION = 86_400.0

Doc = dict[str, Any]


def lesson_ids_of(course_doc: Doc) -> list[str]:
    """The course's lessons in teaching order."""
    return [lesson_id for module in course_doc.get("modules", []) for lesson_id in module.get("lesson_ids", [])]


def position_problem(position: float) -> str | None:
    if not math.isfinite(position) or position < 0 or position > MAX_POSITION:
        return f"Give a position from 0 to {MAX_POSITION:g} (seconds, or a 0..1 fraction)"
    return None


@dataclass(frozen=True)
class Recorded:
    progress: RowMapping
    course_completed: bool


async def record(
    stores: Stores,
    loaders: Loaders,
    *,
    user_id: uuid.UUID,
    course: RowMapping,
    lesson_id: str,
    position: float,
    completed: bool,
) -> Recorded:
    """Advance the lesson; when that completes the course's last lesson, complete the enrollment."""
    row = await progress.record(
        stores.engine,
        user_id=user_id,
        course_id=course["id"],
        lesson_id=lesson_id,
        position=position,
        completed=completed,
    )
    course_completed = False
    if row["completed_at"] is not None:
        content = await loaders.course_content_by_id.load(course["content_id"])
        lessons = set(lesson_ids_of(content)) if content is not None else set()
        done = await progress.completed_lessons(stores.engine, user_id, course["id"])
        if lessons and lessons <= done:
            course_completed = await enrollments.mark_completed(stores.engine, user_id, course["id"])
    # This call completed the lesson (a completed lesson keeps its first completion time).
    if row["completed_at"] is not None and row["completed_at"] == row["updated_at"]:
        seconds = (row["completed_at"] - row["started_at"]).total_seconds()
        await record_server_event(
            stores.engine,
            "lesson_completed",
            user_id=user_id,
            course_id=course["content_id"],
            entity_id=lesson_id,
            value=seconds,
        )
    if course_completed:
        await record_server_event(
            stores.engine,
            "course_completed",
            user_id=user_id,
            course_id=course["content_id"],
            entity_id=course["content_id"],
        )
    return Recorded(row, course_completed)
