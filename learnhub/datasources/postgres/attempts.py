"""Quiz attempt summaries (the details live in MongoDB under `details_ref`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.courses import CourseScope, user_rows
from learnhub.datasources.postgres.outbox import add_event
from learnhub.datasources.postgres.pagination import Listing
from learnhub.datasources.postgres.raw import Args, Row, names
from learnhub.datasources.postgres.tables import quiz_attempts, utcnow

_COLUMNS = (
    quiz_attempts.c.id,
    quiz_attempts.c.user_id,
    quiz_attempts.c.course_id,
    quiz_attempts.c.quiz_content_id,
    quiz_attempts.c.score,
    quiz_attempts.c.max_score,
    quiz_attempts.c.passed,
    quiz_attempts.c.started_at,
    quiz_attempts.c.finished_at,
    quiz_attempts.c.details_ref,
    quiz_attempts.c.submit_key,
    quiz_attempts.c.deadline_at,
    quiz_attempts.c.quiz_version,
)
_NAMES = names(*_COLUMNS)
_BY_IDS = raw.select(_NAMES, "quiz_attempts", "quiz_attempts.id = ANY($1::uuid[])")
_SUBMITTED = (
    "SELECT quiz_attempts.user_id, quiz_attempts.quiz_content_id, bool_or(quiz_attempts.passed IS true) AS passed"
    " FROM quiz_attempts"
    " WHERE quiz_attempts.user_id = ANY($1::uuid[]) AND quiz_attempts.quiz_content_id = ANY($2::text[])"
    " AND quiz_attempts.finished_at IS NOT NULL"
    " GROUP BY quiz_attempts.user_id, quiz_attempts.quiz_content_id"
)


def attempts_of_user(user_id: uuid.UUID, scope: CourseScope) -> Listing:
    return user_rows("quiz_attempts", _NAMES, user_id, scope)


async def attempts_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await raw.fetch(engine, _BY_IDS, ids)


def attempts_of_course(course_id: uuid.UUID) -> Listing:
    """Every student's attempts in one course, newest first (the course's instructor)."""
    args = Args()
    return Listing.of(
        _NAMES, "quiz_attempts", "quiz_attempts.id", [f"quiz_attempts.course_id = {args(course_id)}"], args
    )


async def submitted_for(engine: AsyncEngine, user_ids: Sequence[uuid.UUID], quiz_ids: Sequence[str]) -> list[Row]:
    """Per (user, quiz): whether any attempt was submitted, and whether any passed."""
    return await raw.fetch(engine, _SUBMITTED, user_ids, quiz_ids)


async def lock_user_quiz(conn: AsyncConnection, user_id: uuid.UUID, quiz_id: str) -> None:
    """Serialize attempt starts of one user on one quiz (until the transaction ends), so two
    concurrent starts cannot both pass the attempts-allowed check."""
    await conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"{user_id}/{quiz_id}", 0))))


async def open_attempt(conn: AsyncConnection, user_id: uuid.UUID, quiz_id: str) -> RowMapping | None:
    """The user's unsubmitted attempt at the quiz whose time has not run out, if any."""
    stmt = select(*_COLUMNS).where(
        quiz_attempts.c.user_id == user_id,
        quiz_attempts.c.quiz_content_id == quiz_id,
        quiz_attempts.c.finished_at.is_(None),
        or_(quiz_attempts.c.deadline_at.is_(None), quiz_attempts.c.deadline_at > func.now()),
    )
    return (await conn.execute(stmt.order_by(quiz_attempts.c.id.desc()).limit(1))).mappings().first()


async def count_for(conn: AsyncConnection, user_id: uuid.UUID, quiz_id: str) -> int:
    stmt = select(func.count()).where(quiz_attempts.c.user_id == user_id, quiz_attempts.c.quiz_content_id == quiz_id)
    return int((await conn.execute(stmt)).scalar_one())


async def insert_attempt(
    conn: AsyncConnection,
    *,
    user_id: uuid.UUID,
    course_id: uuid.UUID,
    quiz_id: str,
    quiz_version: int,
    deadline_at: datetime | None,
) -> RowMapping:
    now = utcnow()
    stmt = (
        insert(quiz_attempts)
        .values(
            id=uuid7(),
            user_id=user_id,
            course_id=course_id,
            quiz_content_id=quiz_id,
            max_score=0.0,
            started_at=now,
            deadline_at=deadline_at,
            quiz_version=quiz_version,
            created_at=now,
        )
        .returning(*_COLUMNS)
    )
    return (await conn.execute(stmt)).mappings().one()


async def lock_attempt(conn: AsyncConnection, attempt_id: uuid.UUID) -> RowMapping | None:
    """The attempt, locked until the transaction ends: concurrent submissions queue here."""
    stmt = select(*_COLUMNS).where(quiz_attempts.c.id == attempt_id).with_for_update()
    return (await conn.execute(stmt)).mappings().first()


async def finish_attempt(
    conn: AsyncConnection,
    attempt_id: uuid.UUID,
    *,
    score: float,
    max_score: float,
    passed: bool,
    details_ref: str,
    submit_key: str,
) -> RowMapping:
    stmt = (
        update(quiz_attempts)
        .where(quiz_attempts.c.id == attempt_id, quiz_attempts.c.finished_at.is_(None))
        .values(
            score=score,
            max_score=max_score,
            passed=passed,
            finished_at=utcnow(),
            details_ref=details_ref,
            submit_key=submit_key,
        )
        .returning(*_COLUMNS)
    )
    row = (await conn.execute(stmt)).mappings().one()
    payload = {"attempt_id": str(attempt_id), "quiz_id": row["quiz_content_id"], "passed": passed, "score": score}
    await add_event(conn, "quiz.submitted", row["user_id"], payload)
    return row


async def count_for_quiz(conn: AsyncConnection, quiz_id: str) -> int:
    stmt = select(func.count()).where(quiz_attempts.c.quiz_content_id == quiz_id)
    return int((await conn.execute(stmt)).scalar_one())
