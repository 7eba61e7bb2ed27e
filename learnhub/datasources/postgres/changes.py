"""What changed for one user since a point: the offline-sync reads (learnhub/live/sync.py).

Each source is read in (changed at, id) order after a keyset position and up to a bound, at
most `limit` rows: one query per source, each served by an index that leads with `user_id`
(a user's own rows, not the table, are scanned).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, cast, func, or_, select, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ColumnElement

from learnhub.datasources.postgres.courses import CourseScope
from learnhub.datasources.postgres.sql import fetch_all
from learnhub.datasources.postgres.tables import (
    achievements,
    courses,
    enrollments,
    lesson_progress,
    quiz_attempts,
    user_achievements,
)

# Sources in the order that breaks ties between rows changed at the same instant.
ENROLLMENT, PROGRESS, ATTEMPT, ACHIEVEMENT, COURSE, CONTENT = range(6)


@dataclass(frozen=True)
class Position:
    """A keyset position over every source: (changed at, source, id as text)."""

    at: datetime
    source: int
    id: str


def _after(
    position: Position | None, source: int, at: ColumnElement[datetime], row_id: ColumnElement[str]
) -> ColumnElement[bool]:
    if position is None:
        return and_(True)
    if source > position.source:
        return at >= position.at
    if source < position.source:
        return at > position.at
    return or_(at > position.at, tuple_(at, row_id) > tuple_(position.at, position.id))


@dataclass(frozen=True)
class Source:
    """One source's rows: its tie-break rank, columns, change time, id and whose rows they are."""

    rank: int  # the tie-break order, and what the caller reports the rows as
    columns: Sequence[Any]
    at: ColumnElement[datetime]
    id: ColumnElement[str]
    where: ColumnElement[bool]
    join: Any = None


async def read(
    engine: AsyncEngine, source: Source, position: Position | None, until: datetime, limit: int
) -> Sequence[RowMapping]:
    stmt = select(*source.columns, source.at.label("changed_at"), source.id.label("change_id"))
    if source.join is not None:
        stmt = stmt.select_from(source.join)
    stmt = stmt.where(source.where, source.at <= until, _after(position, source.rank, source.at, source.id))
    return await fetch_all(engine, stmt.order_by(source.at, source.id).limit(limit))


def _in_visible_course(scope: CourseScope, course_id: ColumnElement[uuid.UUID]) -> ColumnElement[bool]:
    """The row's course is one the reader may see (auth/visibility.py `course_scope`), as for
    `myCourses`: a record of a hidden course is left out; the course's own tombstone says so."""
    if scope.everything:
        return and_(True)
    visible = select(courses.c.id).where(
        courses.c.published
        if scope.owner_id is None
        else or_(courses.c.published, courses.c.instructor_id == scope.owner_id)
    )
    return course_id.in_(visible)


def sources(user_id: uuid.UUID, scope: CourseScope) -> tuple[Source, ...]:
    """Every PostgreSQL source of the user's changes, in tie-break order."""
    attempt_at = func.coalesce(quiz_attempts.c.finished_at, quiz_attempts.c.started_at)
    awarded = [achievements.c.code, achievements.c.title, achievements.c.description, achievements.c.xp,
               user_achievements.c.awarded_at]  # fmt: skip
    return (
        # Enrollments, cancelled ones too: the caller makes them tombstones.
        Source(
            ENROLLMENT, [enrollments], enrollments.c.updated_at, cast(enrollments.c.id, Text),
            and_(enrollments.c.user_id == user_id, _in_visible_course(scope, enrollments.c.course_id)),
        ),
        Source(
            PROGRESS, [lesson_progress], lesson_progress.c.updated_at, cast(lesson_progress.c.id, Text),
            and_(lesson_progress.c.user_id == user_id, _in_visible_course(scope, lesson_progress.c.course_id)),
        ),
        # An attempt changes when it starts and when it is graded.
        Source(
            ATTEMPT, [quiz_attempts], attempt_at, cast(quiz_attempts.c.id, Text),
            and_(quiz_attempts.c.user_id == user_id, _in_visible_course(scope, quiz_attempts.c.course_id)),
        ),
        Source(
            ACHIEVEMENT, awarded, user_achievements.c.awarded_at, cast(user_achievements.c.id, Text),
            user_achievements.c.user_id == user_id,
            user_achievements.join(achievements, achievements.c.id == user_achievements.c.achievement_id),
        ),
        # The user's enrolled courses whose row changed (published or unpublished: hidden ones
        # too, so the app hears of it).
        Source(
            COURSE, [courses], courses.c.updated_at, cast(courses.c.id, Text),
            and_(enrollments.c.user_id == user_id, enrollments.c.status != "cancelled"),
            courses.join(enrollments, enrollments.c.course_id == courses.c.id),
        ),
    )  # fmt: skip


async def enrolled_courses(engine: AsyncEngine, user_id: uuid.UUID, scope: CourseScope) -> Sequence[RowMapping]:
    """(id, content_id) of the user's courses the reader may see, cancelled enrollments aside."""
    stmt = (
        select(courses.c.id, courses.c.content_id)
        .select_from(courses.join(enrollments, enrollments.c.course_id == courses.c.id))
        .where(
            enrollments.c.user_id == user_id,
            enrollments.c.status != "cancelled",
            _in_visible_course(scope, courses.c.id),
        )
    )
    return await fetch_all(engine, stmt)
