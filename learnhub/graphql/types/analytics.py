"""Analytics: the events apps send, and the reports read from the daily rollups."""

from __future__ import annotations

import datetime as dt

import orjson
import strawberry
from sqlalchemy.engine import RowMapping
from strawberry.scalars import JSON

from learnhub.analytics import reports
from learnhub.analytics.catalog import MAX_CONTEXT_BYTES, MAX_EVENTS
from learnhub.analytics.reports import CourseReport, Day, FunnelStep, QuestionStat
from learnhub.datasources.postgres.raw import Row
from learnhub.graphql.context import Info
from learnhub.graphql.relay.node import to_global_id
from learnhub.learning.progress import lesson_ids_of


@strawberry.input(description="One thing a learner did in an app.")
class TrackEventInput:
    name: str = strawberry.field(
        description="One of: lesson_viewed, video_played, video_paused, video_completed, search_performed, "
        "share_link_opened, quiz_viewed, course_viewed, attachment_downloaded."
    )
    occurred_at: dt.datetime = strawberry.field(
        description="When, by the device's clock; more than 7 days back or 5 minutes ahead is clamped and flagged."
    )
    entity_id: str | None = strawberry.field(
        default=None, description="The course, lesson or quiz content id it is about (`lesson:rest-intro`)."
    )
    context: JSON | None = strawberry.field(
        default=None, description=f"A JSON object of at most {MAX_CONTEXT_BYTES} bytes."
    )


@strawberry.type(description=f"The events of a `trackEvents` call (at most {MAX_EVENTS}), all kept.")
class TrackEventsPayload:
    accepted: int
    clamped: int = strawberry.field(description="How many had their time moved into the accepted window.")


@strawberry.type(description="One day of activity (UTC), from the daily rollups.")
class AnalyticsDay:
    date: dt.date
    active_learners: int = strawberry.field(description="Learners with any event that day.")
    views: int = strawberry.field(description="Lesson views.")
    completions: int = strawberry.field(description="Courses completed (platform and course series).")
    quiz_attempts: int
    average_score: float | None = strawberry.field(description="Of the day's quiz attempts, in percent.")
    median_seconds_to_complete: float | None = strawberry.field(
        description="Median time from starting a lesson to completing it, of the lessons completed that day."
    )
    events: int

    @classmethod
    def from_day(cls, day: Day) -> AnalyticsDay:
        return cls(
            date=day.day,
            active_learners=day.active_learners,
            views=day.views,
            completions=day.completions,
            quiz_attempts=day.quiz_attempts,
            average_score=day.average_score,
            median_seconds_to_complete=day.median_seconds,
            events=day.events,
        )


@strawberry.type(description="A lesson of the course in teaching order, with how far learners got.")
class FunnelStepStat:
    position: int = strawberry.field(description="1 for the course's first lesson.")
    lesson_id: str = strawberry.field(description="The lesson's content id.")
    learners: int = strawberry.field(description="Learners who first reached the lesson within the range.")
    views: int
    completions: int

    @classmethod
    def from_step(cls, step: FunnelStep) -> FunnelStepStat:
        return cls(
            position=step.position,
            lesson_id=step.lesson_id,
            learners=step.learners,
            views=step.views,
            completions=step.completions,
        )


@strawberry.type(description="How often a question was answered correctly in the range.")
class QuestionAnalytics:
    question_id: str
    answers: int
    correct: int
    correct_rate: float = strawberry.field(description="0 to 1.")

    @classmethod
    def from_stat(cls, stat: QuestionStat) -> QuestionAnalytics:
        return cls(
            question_id=stat.question_id, answers=stat.answers, correct=stat.correct, correct_rate=stat.correct_rate
        )


@strawberry.type(description="A course's activity over a range of days: its instructor and admins only.")
class CourseAnalytics:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    days: list[AnalyticsDay] = strawberry.field(description="Every day of the range, oldest first.")
    funnel: list[FunnelStepStat] = strawberry.field(description="The course's lessons in order: drop-off.")
    hardest_questions: list[QuestionAnalytics] = strawberry.field(description="Lowest correct rate first (10).")

    @classmethod
    def from_report(cls, report: CourseReport) -> CourseAnalytics:
        return cls(
            from_=report.first,
            to=report.last,
            days=[AnalyticsDay.from_day(day) for day in report.days],
            funnel=[FunnelStepStat.from_step(step) for step in report.funnel],
            hardest_questions=[QuestionAnalytics.from_stat(stat) for stat in report.hardest_questions],
        )


@strawberry.type(description="The whole platform's activity over a range of days (admins).")
class PlatformAnalytics:
    from_: dt.date = strawberry.field(name="from")
    to: dt.date
    days: list[AnalyticsDay]


@strawberry.type(description="One raw event of a learner (admins).")
class AnalyticsEvent:
    id: strawberry.ID
    name: str
    source: str = strawberry.field(description="client or server.")
    course_id: str | None
    entity_id: str | None
    occurred_at: dt.datetime
    received_at: dt.datetime
    clamped: bool
    value: float | None
    context: JSON

    @classmethod
    def from_row(cls, row: Row) -> AnalyticsEvent:
        return cls(
            id=to_global_id("AnalyticsEvent", row["id"]),
            name=row["name"],
            source=row["source"],
            course_id=row["course_id"],
            entity_id=row["entity_id"],
            occurred_at=row["occurred_at"],
            received_at=row["received_at"],
            clamped=row["clamped"],
            value=row["value"],
            # asyncpg hands jsonb over as its text (the read pool sets no codec).
            context=orjson.loads(row["context"]),
        )


async def course_analytics(info: Info, course: RowMapping, first: dt.date, last: dt.date) -> CourseAnalytics:
    """`Course.analytics`: the lessons' order from the content (one MongoDB read, through the
    loader), the numbers from the rollups (three PostgreSQL reads), whatever the range."""
    reports.check_range(first, last)
    doc = await info.context.loaders.course_content_by_id.load(course["content_id"])
    lesson_ids = lesson_ids_of(doc) if doc is not None else []
    report = await reports.course_report(info.context.stores.engine, course["content_id"], lesson_ids, first, last)
    return CourseAnalytics.from_report(report)
