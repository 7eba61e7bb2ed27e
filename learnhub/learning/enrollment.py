"""Enrolling in a course, and who may."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum

from sqlalchemy.engine import RowMapping

from learnhub.analytics.events import record_server_event
from learnhub.datasources.postgres import enrollments
from learnhub.datasources.postgres import payments as payment_rows
from learnhub.datasources.postgres.tables import utcnow
from learnhub.datasources.stores import Stores
from learnhub.payments import entitlements


class Refusal(Enum):
    NOT_FOUND = "NOT_FOUND"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    PAYMENT_REQUIRED = "PAYMENT_REQUIRED"


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    message: str


def enrollment_gate(course: RowMapping | None) -> Refused | None:
    """Whether the course is open for enrollment at all; whether this student may (a paid
    course) is the entitlement rule's answer, asked by `enroll`."""
    if course is None:
        return Refused(Refusal.NOT_FOUND, "No such course")
    if not course["published"]:
        return Refused(Refusal.NOT_PUBLISHED, "This course is not open for enrollment")
    return None


async def enroll(stores: Stores, user_id: uuid.UUID, course: RowMapping | None) -> RowMapping | Refused:
    """Enroll (idempotent: an existing enrollment is returned, a cancelled one re-activated, a
    suspended one restored once the student is entitled again)."""
    if (refused := enrollment_gate(course)) is not None:
        return refused
    assert course is not None
    if not await entitlements.entitled(stores.engine, user_id, course):
        return Refused(Refusal.PAYMENT_REQUIRED, "Buy this course, or subscribe to a plan that covers it, to enroll")
    started = utcnow()
    row = await enrollments.enroll(stores.engine, user_id, course["id"])
    if row["status"] == "suspended":
        async with stores.engine.begin() as conn:
            await payment_rows.sync_enrollments(conn, user_id)
        row = await enrollments.enroll(stores.engine, user_id, course["id"])
    if row["created_at"] >= started:  # a new enrollment, not the existing one returned again
        await record_server_event(stores.engine, "enrolled", user_id=user_id, course_id=course["content_id"])
    return row
