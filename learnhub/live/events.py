"""What each committed change announces to live subscribers, and publishing it.

The worker announces what it drains from the outbox, after its batch commits: the change
(progress, a completed course, a graded attempt, a course's content) committed with its outbox
event, and the achievements it awards commit with the batch, so a subscriber that reads the
record on receiving the event finds it. An event is published at least once: a batch retried
after a failure may announce a change twice, so payloads name records (read fresh when
delivered), never deltas.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from learnhub.datasources.stores import Stores
from learnhub.live import streams

logger = logging.getLogger("learnhub.live")

PROGRESS = "progress"
COURSE_COMPLETED = "course_completed"
ACHIEVEMENT = "achievement"
ATTEMPT_GRADED = "attempt_graded"
COURSE_UPDATED = "course_updated"


@dataclass(frozen=True)
class Announcement:
    stream: str
    kind: str
    data: dict[str, Any]


def of_outbox_event(
    kind: str, user_id: uuid.UUID | None, payload: dict[str, Any], awarded: Sequence[str] = ()
) -> list[Announcement]:
    """The live events an outbox event (and the achievements it awarded) make."""
    if user_id is None:
        return []
    mine = streams.user_stream(user_id)
    found = [Announcement(mine, ACHIEVEMENT, {"code": code}) for code in awarded]
    # A payload without what its kind names announces nothing: the change itself stands.
    course_id, lesson_id, attempt_id = (payload.get(k) for k in ("course_id", "lesson_id", "attempt_id"))
    if kind == "lesson.progressed" and course_id and lesson_id:
        found.insert(0, Announcement(mine, PROGRESS, {"course_id": course_id, "lesson_id": lesson_id}))
    elif kind == "course.completed" and course_id:
        found.insert(0, Announcement(mine, COURSE_COMPLETED, {"course_id": course_id}))
    elif kind == "quiz.submitted" and attempt_id:
        stream = streams.attempt_stream(uuid.UUID(str(attempt_id)))
        found.insert(0, Announcement(stream, ATTEMPT_GRADED, {"attempt_id": str(attempt_id)}))
    return found


def of_course_changes(course_content_ids: Iterable[str]) -> list[Announcement]:
    return [
        Announcement(streams.course_stream(content_id), COURSE_UPDATED, {"course_id": content_id})
        for content_id in course_content_ids
    ]


async def announce(stores: Stores, announcements: Sequence[Announcement]) -> int:
    """Publish; returns how many were. Redis being away loses live events, not data: clients
    that reconnect catch up with `changesSince`, so the worker's batch is not failed for it."""
    retention = stores.settings.live_retention_seconds
    published = 0
    for item in announcements:
        try:
            await streams.publish(stores.redis, item.stream, item.kind, item.data, retention)
            published += 1
        except RedisError as exc:
            logger.warning("live event %s on %s not published: %s", item.kind, item.stream, exc)
    return published
