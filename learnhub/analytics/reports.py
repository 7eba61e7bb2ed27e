"""What instructors and admins read: answers built from the rollups only, in a fixed number of
queries whatever the range (the raw events are never scanned on a request)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.errors import BadUserInput
from learnhub.datasources.postgres import analytics as rows
from learnhub.datasources.postgres.raw import Row

# A year and a day: a leap year's worth of daily points is the most a chart shows.
MAX_DAYS = 366
HARDEST = 10


@dataclass(frozen=True)
class Day:
    day: date
    active_learners: int = 0
    views: int = 0
    completions: int = 0
    quiz_attempts: int = 0
    score_sum: float = 0.0
    events: int = 0
    median_seconds: float | None = None

    @property
    def average_score(self) -> float | None:
        return self.score_sum / self.quiz_attempts if self.quiz_attempts else None


@dataclass(frozen=True)
class FunnelStep:
    position: int
    lesson_id: str
    learners: int
    views: int
    completions: int


@dataclass(frozen=True)
class QuestionStat:
    question_id: str
    answers: int
    correct: int

    @property
    def correct_rate(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class CourseReport:
    first: date
    last: date
    days: list[Day]
    funnel: list[FunnelStep]
    hardest_questions: list[QuestionStat]


def check_range(first: date, last: date) -> None:
    if last < first:
        raise BadUserInput("`to` must not be before `from`", argument="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadUserInput(f"Ask for at most {MAX_DAYS} days at a time", argument="to")


def _series(found: Sequence[Row], first: date, last: date) -> list[Day]:
    """Every day of the range, days without events as zeros."""
    by_day = {row["day"]: row for row in found}
    days = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        row = by_day.get(day)
        if row is None:
            days.append(Day(day))
            continue
        days.append(
            Day(
                day,
                active_learners=row["active_learners"],
                views=row["views"],
                completions=row["completions"],
                quiz_attempts=row["attempts"],
                score_sum=row["score_sum"],
                events=row["events"],
                median_seconds=row["median_seconds"],
            )
        )
    return days


def funnel(lesson_ids: Sequence[str], reached: Sequence[Row], totals: Sequence[Row]) -> list[FunnelStep]:
    """The course's lessons in teaching order with how many learners reached each."""
    learners = {row["lesson_id"]: row["learners"] for row in reached}
    counts = {row["entity_id"]: row for row in totals if row["kind"] == "lesson"}
    steps = []
    for position, lesson_id in enumerate(lesson_ids, start=1):
        row = counts.get(lesson_id)
        steps.append(
            FunnelStep(
                position,
                lesson_id,
                learners.get(lesson_id, 0),
                row["views"] if row else 0,
                row["completions"] if row else 0,
            )
        )
    return steps


def hardest(totals: Sequence[Row], limit: int = HARDEST) -> list[QuestionStat]:
    """Questions by lowest share of correct answers; more answers first among equals."""
    stats = [
        QuestionStat(row["entity_id"], row["attempts"], row["correct"])
        for row in totals
        if row["kind"] == "question" and row["attempts"] > 0
    ]
    stats.sort(key=lambda s: (s.correct_rate, -s.answers, s.question_id))
    return stats[:limit]


async def course_report(
    engine: AsyncEngine, course_id: str, lesson_ids: Sequence[str], first: date, last: date
) -> CourseReport:
    """Three PostgreSQL reads, run together: the day series, per-entity totals, first reach."""
    check_range(first, last)
    series, totals, reached = await asyncio.gather(
        rows.daily_series(engine, course_id, "course", first, last),
        rows.entity_totals(engine, course_id, ("lesson", "question"), first, last),
        rows.reach(engine, course_id, first, last),
    )
    return CourseReport(first, last, _series(series, first, last), funnel(lesson_ids, reached, totals), hardest(totals))


async def platform_days(engine: AsyncEngine, first: date, last: date) -> list[Day]:
    """The whole platform's days: one read."""
    check_range(first, last)
    return _series(await rows.daily_series(engine, "", "platform", first, last), first, last)
