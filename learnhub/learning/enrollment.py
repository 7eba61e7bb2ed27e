"""Enrolling in a course, and who may."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum

from sqlalchemy.engine import RowMapping

from learnhub.analytics.events import record_server_event
from learnhub.datasources.postgres import enrollments
from learnhub.datasources.postgres.tables import utcnow
from learnhub.datasources.stores import Stores


class Refusal(Enum):
    NOT_FOUND = "NOT_FOUND"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    message: str


def enrollment_gate(course: RowMapping | None) -> Refused | None:
    """Whether a student may enroll in the course. This is the one place where payment plugs
    in: a paid course will be allowed when the student holds a purchase or subscription."""
    if course is None:
        return Refused(Refusal.NOT_FOUND, "No such course")
    if not course["published"]:
        return Refused(Refusal.NOT_PUBLISHED, "This course is not open for enrollment")
    if course["price_cents"] > 0:
        return Refused(Refusal.PAYMENT_REQUIRED, "This course must be purchased first")
    return None


async def enroll(stores: Stores, user_id: uuid.UUID, course: RowMapping | None) -> RowMapping | Refused:
    """Enroll (idempotent: an existing enrollment is returned, a cancelled one re-activated)."""
    if (refused := enrollment_gate(course)) is not None:
        return refused
    assert course is not None
    started = utcnow()
    row = await enrollments.enroll(stores.engine, user_id, course["id"])
    if row["created_at"] >= started:  # a new enrollment, not the existing one returned again
        await record_server_event(stores, "enrolled", user_id=user_id, course_id=course["content_id"])
    return row
