"""Achievements, their awards, activity days and the user_stats view."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, exists, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.raw import Row
from learnhub.datasources.postgres.tables import (
    achievements,
    activity_days,
    enrollments,
    quiz_attempts,
    user_achievements,
    utcnow,
)

# Days minus their rank is constant within a run of consecutive days.
_LONGEST_STREAK = text(
    "SELECT coalesce(max(days), 0) FROM (SELECT count(*) AS days FROM ("
    " SELECT day - (row_number() OVER (ORDER BY day))::int AS run FROM activity_days WHERE user_id = :user_id"
    ") numbered GROUP BY run) runs"
)

_USER_STATS = (
    "SELECT user_id, courses_completed, quizzes_passed, average_score, xp, streak_last_day, streak_days,"
    " refreshed_at FROM user_stats WHERE user_id = ANY($1::uuid[])"
)
_OF_USERS = (
    "SELECT user_achievements.user_id, user_achievements.awarded_at, achievements.code, achievements.title,"
    " achievements.description, achievements.xp"
    " FROM user_achievements JOIN achievements ON achievements.id = user_achievements.achievement_id"
    " WHERE user_achievements.user_id = ANY($1::uuid[])"
    " ORDER BY user_achievements.awarded_at, user_achievements.id"
)


async def all_rules(conn: AsyncConnection) -> Sequence[RowMapping]:
    return (await conn.execute(select(achievements.c.id, achievements.c.code, achievements.c.rule))).mappings().all()


async def awarded_ids(conn: AsyncConnection, user_id: uuid.UUID) -> set[uuid.UUID]:
    stmt = select(user_achievements.c.achievement_id).where(user_achievements.c.user_id == user_id)
    return set((await conn.execute(stmt)).scalars().all())


async def award(conn: AsyncConnection, user_id: uuid.UUID, achievement_id: uuid.UUID) -> bool:
    """Award once: the unique (user, achievement) key makes a second award a no-op."""
    stmt = (
        insert(user_achievements)
        .values(id=uuid7(), user_id=user_id, achievement_id=achievement_id, awarded_at=utcnow())
        .on_conflict_do_nothing(constraint="uq_user_achievements_user_achievement")
        .returning(user_achievements.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def record_day(conn: AsyncConnection, user_id: uuid.UUID, day: date) -> None:
    stmt = insert(activity_days).values(user_id=user_id, day=day).on_conflict_do_nothing()
    await conn.execute(stmt)


async def quizzes_passed(conn: AsyncConnection, user_id: uuid.UUID) -> int:
    stmt = select(func.count(func.distinct(quiz_attempts.c.quiz_content_id))).where(
        quiz_attempts.c.user_id == user_id, quiz_attempts.c.passed.is_(True)
    )
    return int((await conn.execute(stmt)).scalar_one())


async def has_perfect_score(conn: AsyncConnection, user_id: uuid.UUID) -> bool:
    perfect = and_(
        quiz_attempts.c.user_id == user_id,
        quiz_attempts.c.finished_at.is_not(None),
        quiz_attempts.c.max_score > 0,
        quiz_attempts.c.score == quiz_attempts.c.max_score,
    )
    return bool((await conn.execute(select(exists().where(perfect)))).scalar_one())


async def courses_completed(conn: AsyncConnection, user_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(enrollments.c.user_id == user_id, enrollments.c.status == "completed")
    return int((await conn.execute(stmt)).scalar_one())


async def longest_streak(conn: AsyncConnection, user_id: uuid.UUID) -> int:
    """The longest run of consecutive activity days (gaps and islands)."""
    return int((await conn.execute(_LONGEST_STREAK, {"user_id": user_id})).scalar_one())


async def refresh_stats(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("REFRESH MATERIALIZED VIEW CONCURRENTLY user_stats"))


async def stats_by_user_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await raw.fetch(engine, _USER_STATS, ids)


async def achievements_of_users(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await raw.fetch(engine, _OF_USERS, ids)
