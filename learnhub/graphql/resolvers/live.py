"""The Subscription root fields: the stream to follow, who may follow it, each event read fresh."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Collection
from typing import Annotated

import strawberry

from learnhub.core.errors import BadUserInput, NotFound, ResyncRequired
from learnhub.graphql.context import Context, Info
from learnhub.graphql.execution.policy import may_see_attempt
from learnhub.graphql.relay.node import expect_uuid
from learnhub.graphql.types.content import LessonProgress
from learnhub.graphql.types.courses import Course
from learnhub.graphql.types.live import (
    AchievementEvent,
    AttemptGradedEvent,
    CourseUpdatedEvent,
    ProgressEvent,
    ProgressEventKind,
)
from learnhub.graphql.types.quizzes import QuizAttempt
from learnhub.graphql.types.users import EarnedAchievement, Enrollment
from learnhub.live import events, streams
from learnhub.live.hub import Hub
from learnhub.live.streams import Event

After = Annotated[
    str | None, strawberry.argument(description="A cursor from an earlier event: first replay what came after it.")
]


async def _follow(ctx: Context, stream: str, after: str | None, kinds: Collection[str]) -> AsyncIterator[Event]:
    after_id = None
    if after is not None:
        try:
            after_id = streams.decode_cursor(after, stream)
            streams.check_resumable(after_id, ctx.settings.live_retention_seconds)
        except streams.CursorInvalid as exc:
            raise BadUserInput(str(exc), argument="after") from None
        except streams.ResyncRequired as exc:
            raise ResyncRequired(f"{exc}; catch up with changesSince, then subscribe without `after`") from None
    hub: Hub = ctx.request.app.state.live
    async for event in hub.follow(stream, after_id):
        if event.kind in kinds:
            ctx.fresh_loaders()  # the record as it is now, for the viewer as they are now
            yield event


async def my_progress(info: Info, after: After = None) -> AsyncGenerator[ProgressEvent, None]:
    ctx = info.context
    stream = streams.user_stream(ctx.require_user())
    async for event in _follow(ctx, stream, after, (events.PROGRESS, events.COURSE_COMPLETED)):
        course_id = uuid.UUID(event.data["course_id"])
        enrollment_load = ctx.loaders.enrollment_by_user_course.load((ctx.require_user(), course_id))
        if event.kind == events.PROGRESS:  # both reads at once: one round trip's wait per event
            enrollment, row = await asyncio.gather(
                enrollment_load, ctx.loaders.viewer_progress_by_lesson.load(event.data["lesson_id"])
            )
        else:
            enrollment, row = await enrollment_load, None
        progress = LessonProgress.from_row(row) if row is not None else None
        yield ProgressEvent(
            cursor=event.cursor,
            kind=ProgressEventKind(event.kind),
            progress=progress,
            enrollment=Enrollment.from_row(enrollment) if enrollment is not None else None,
        )


async def achievement_awarded(info: Info, after: After = None) -> AsyncGenerator[AchievementEvent, None]:
    ctx = info.context
    user_id = ctx.require_user()
    async for event in _follow(ctx, streams.user_stream(user_id), after, (events.ACHIEVEMENT,)):
        rows = await ctx.loaders.achievements_by_user_id.load(user_id)
        found = next((r for r in rows if r["code"] == event.data["code"]), None)
        earned = None
        if found is not None:
            earned = EarnedAchievement(
                code=found["code"],
                title=found["title"],
                description=found["description"],
                xp=found["xp"],
                awarded_at=found["awarded_at"],
            )
        yield AchievementEvent(cursor=event.cursor, achievement=earned)


async def course_updated(
    info: Info, course_id: strawberry.ID, after: After = None
) -> AsyncGenerator[CourseUpdatedEvent, None]:
    ctx = info.context
    ctx.require_user()
    row = await ctx.loaders.course_by_id.load(expect_uuid(course_id, "Course"))
    if row is None:  # unknown, or not visible to the viewer: alike
        raise NotFound("No such course", argument="courseId")
    async for event in _follow(ctx, streams.course_stream(row["content_id"]), after, (events.COURSE_UPDATED,)):
        current = await ctx.loaders.course_by_id.load(row["id"])
        yield CourseUpdatedEvent(cursor=event.cursor, course=Course.from_row(current) if current else None)


async def quiz_attempt_graded(
    info: Info, attempt_id: strawberry.ID, after: After = None
) -> AsyncGenerator[AttemptGradedEvent, None]:
    ctx = info.context
    ctx.require_user()
    attempt_uuid = expect_uuid(attempt_id, "QuizAttempt")
    row = await ctx.loaders.quiz_attempt_by_id.load(attempt_uuid)
    if row is None or not await may_see_attempt(ctx, row):  # someone else's attempt: as if unknown
        raise NotFound("No such attempt", argument="attemptId")
    async for event in _follow(ctx, streams.attempt_stream(attempt_uuid), after, (events.ATTEMPT_GRADED,)):
        current = await ctx.loaders.quiz_attempt_by_id.load(attempt_uuid)
        yield AttemptGradedEvent(cursor=event.cursor, attempt=QuizAttempt.from_row(current) if current else None)
