"""Enrolling, unenrolling, progress and the viewer's courses."""

from __future__ import annotations

from typing import Annotated

import strawberry

from learnhub.auth.visibility import course_scope
from learnhub.core.errors import BadUserInput
from learnhub.datasources.postgres import enrollments
from learnhub.graphql.context import Info
from learnhub.graphql.relay.connections import Connection, paged
from learnhub.graphql.relay.node import expect_content_id, expect_uuid
from learnhub.graphql.relay.selection import CONNECTION_ITEMS
from learnhub.graphql.types.content import LessonProgress
from learnhub.graphql.types.learning import (
    AnswerInput,
    AttemptPayload,
    EnrollmentPayload,
    LearningError,
    LearningErrorCode,
    LessonProgressInput,
    ProgressPayload,
    QuizError,
)
from learnhub.graphql.types.quizzes import QuizAttempt
from learnhub.graphql.types.users import Enrollment, with_courses
from learnhub.learning import attempts, enrollment, progress
from learnhub.learning.enrollment import Refused

# A quiz has at most a few dozen questions; the bound keeps one submission's grading cost fixed.
MAX_ANSWERS = 200


def _error(code: LearningErrorCode, message: str, field: str | None = None) -> LearningError:
    return LearningError(field=field, message=message, code=code)


async def enroll(info: Info, course_id: strawberry.ID) -> EnrollmentPayload:
    ctx = info.context
    user_id = ctx.require_user()
    course = await ctx.loaders.course_by_id.load(expect_uuid(course_id, "Course"))
    outcome = await enrollment.enroll(ctx.stores, user_id, course)
    if isinstance(outcome, Refused):
        return EnrollmentPayload(errors=[_error(LearningErrorCode(outcome.reason.value), outcome.message, "courseId")])
    return EnrollmentPayload(enrollment=Enrollment.from_row(outcome))


async def unenroll(info: Info, course_id: strawberry.ID) -> EnrollmentPayload:
    ctx = info.context
    user_id = ctx.require_user()
    row = await enrollments.cancel(ctx.stores.engine, user_id, expect_uuid(course_id, "Course"))
    if row is None:
        return EnrollmentPayload(
            errors=[_error(LearningErrorCode.NOT_ENROLLED, "Not enrolled in this course", "courseId")]
        )
    return EnrollmentPayload(enrollment=Enrollment.from_row(row))


async def update_lesson_progress(
    info: Info, data: Annotated[LessonProgressInput, strawberry.argument(name="input")]
) -> ProgressPayload:
    ctx = info.context
    user_id = ctx.require_user()
    if (problem := progress.position_problem(data.position)) is not None:
        return ProgressPayload(errors=[_error(LearningErrorCode.INVALID, problem, "position")])
    lesson_id = expect_content_id(data.lesson_id, "Lesson", "lesson")
    lesson = await ctx.loaders.lesson_by_id.load(lesson_id)
    course = await ctx.loaders.course_by_content_id.load(lesson["course_id"]) if lesson is not None else None
    if course is None:
        return ProgressPayload(errors=[_error(LearningErrorCode.NOT_FOUND, "No such lesson", "lessonId")])
    held = await ctx.loaders.enrollment_by_user_course.load((user_id, course["id"]))
    if held is None or held["status"] == "cancelled":
        return ProgressPayload(
            errors=[_error(LearningErrorCode.NOT_ENROLLED, "Enroll in the course to record progress", "lessonId")]
        )
    recorded = await progress.record(
        ctx.stores,
        ctx.loaders,
        user_id=user_id,
        course=course,
        lesson_id=lesson_id,
        position=data.position,
        completed=data.completed,
    )
    current = await enrollments.enrollments_by_ids(ctx.stores.engine, [held["id"]])
    return ProgressPayload(
        progress=LessonProgress.from_row(recorded.progress),
        enrollment=Enrollment.from_row(current[0]),
        course_completed=recorded.course_completed,
    )


async def my_courses(info: Info, first: int | None = None, after: str | None = None) -> Connection[Enrollment]:
    ctx = info.context
    listing = enrollments.learning(ctx.require_user(), course_scope(ctx.viewer))
    result = await paged(ctx, listing, first, after, Enrollment.from_row)
    await with_courses(info, [edge.node for edge in result.edges], CONNECTION_ITEMS)
    return result


def _quiz_refusal(refused: attempts.Refused) -> AttemptPayload:
    error = QuizError(field=refused.field, message=refused.message, code=refused.reason)
    return AttemptPayload(errors=[error])


async def start_quiz_attempt(info: Info, quiz_id: strawberry.ID) -> AttemptPayload:
    ctx = info.context
    user_id = ctx.require_user()
    outcome = await attempts.start(ctx.stores, ctx.loaders, user_id, expect_content_id(quiz_id, "Quiz", "quiz"))
    if isinstance(outcome, attempts.Refused):
        return _quiz_refusal(outcome)
    return AttemptPayload(attempt=QuizAttempt.from_row(outcome))


async def submit_quiz_attempt(
    info: Info, attempt_id: strawberry.ID, answers: list[AnswerInput], idempotency_key: str
) -> AttemptPayload:
    ctx = info.context
    user_id = ctx.require_user()
    if len(answers) > MAX_ANSWERS:
        raise BadUserInput(f"At most {MAX_ANSWERS} answers per submission", argument="answers", max=MAX_ANSWERS)
    outcome = await attempts.submit(
        ctx.stores,
        user_id,
        expect_uuid(attempt_id, "QuizAttempt"),
        [(str(a.question_id), a.response) for a in answers],
        idempotency_key,
    )
    if isinstance(outcome, attempts.Refused):
        return _quiz_refusal(outcome)
    return AttemptPayload(attempt=QuizAttempt.from_row(outcome))
