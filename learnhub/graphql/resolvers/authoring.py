"""Instructors' mutations. The policy lets staff in; each one here checks the record is theirs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping

from learnhub.authoring import courses as course_authoring
from learnhub.authoring import quizzes as quiz_authoring
from learnhub.authoring.courses import NewCourse, Refused
from learnhub.core.errors import Forbidden
from learnhub.datasources.mongo.content import quizzes_by_ids
from learnhub.graphql.context import Info
from learnhub.graphql.execution.policy import owns_course, owns_course_content
from learnhub.graphql.relay.node import expect_content_id, expect_uuid
from learnhub.graphql.types.authoring import (
    AuthoringError,
    AuthoringErrorCode,
    BlockInput,
    CourseContentInput,
    CoursePayload,
    CreateCourseInput,
    CreateQuizInput,
    LessonEditInput,
    LessonPayload,
    NewLessonInput,
    QuestionInput,
    QuizPayload,
)
from learnhub.graphql.types.content import Lesson
from learnhub.graphql.types.courses import Course
from learnhub.graphql.types.quizzes import Quiz

Doc = dict[str, Any]
_NOT_YOURS = "Only the course's instructor or an admin can change it"


def _errors(refused: list[Refused]) -> list[AuthoringError]:
    return [AuthoringError(field=r.field, message=r.message, code=AuthoringErrorCode(r.code)) for r in refused]


def _missing(field: str, what: str) -> list[AuthoringError]:
    return [AuthoringError(field=field, message=f"No such {what}", code=AuthoringErrorCode.NOT_FOUND)]


async def _my_course(info: Info, course_id: str) -> RowMapping | None:
    row = await info.context.loaders.course_by_id.load(expect_uuid(course_id, "Course"))
    if row is not None and not await owns_course(info.context, row["id"]):
        raise Forbidden(_NOT_YOURS)
    return row


async def _my_quiz(info: Info, quiz_id: str) -> Doc | None:
    # Read fresh (not through the request's loader): it is about to be changed on this version.
    found = await quizzes_by_ids(info.context.stores.mongo_db, [expect_content_id(quiz_id, "Quiz", "quiz")])
    if found and not await owns_course_content(info.context, found[0].get("course_id", "")):
        raise Forbidden(_NOT_YOURS)
    return found[0] if found else None


async def _edit_my_quiz(info: Info, quiz_id: str, edit: Callable[[Doc], Awaitable[Doc | list[Refused]]]) -> QuizPayload:
    """`edit` applied to the viewer's own quiz: NOT_FOUND for an unknown id, FORBIDDEN for another's."""
    quiz = await _my_quiz(info, quiz_id)
    if quiz is None:
        return QuizPayload(errors=_missing("quizId", "quiz"))
    return _quiz_payload(await edit(quiz))


def _quiz_payload(outcome: Doc | list[Refused]) -> QuizPayload:
    if isinstance(outcome, list):
        return QuizPayload(errors=_errors(outcome))
    return QuizPayload(quiz=Quiz.from_doc(outcome))


def _course_payload(row: RowMapping, content: Doc) -> CoursePayload:
    """The course with the content document just written, so `course.content` needs no read."""
    course = Course.from_row(row)
    course.content_doc = content
    return CoursePayload(course=course, content_version=int(content["version"]))


def _blocks(blocks: list[BlockInput]) -> list[Doc]:
    return [{"kind": b.kind.value, "text": b.text, "language": b.language} for b in blocks]


async def create_course(
    info: Info, data: Annotated[CreateCourseInput, strawberry.argument(name="input")]
) -> CoursePayload:
    user_id = info.context.require_user()
    new = NewCourse(
        slug=data.slug,
        title=data.title,
        summary=data.summary,
        description=data.description,
        level=data.level.value,
        tags=data.tags,
        price_cents=data.price_cents,
    )
    outcome = await course_authoring.create_course(info.context.stores, user_id, new)
    if isinstance(outcome, list):
        return CoursePayload(errors=_errors(outcome))
    return _course_payload(*outcome)


async def update_course_content(
    info: Info,
    course_id: strawberry.ID,
    expected_version: int,
    data: Annotated[CourseContentInput, strawberry.argument(name="input")],
) -> CoursePayload:
    row = await _my_course(info, course_id)
    if row is None:
        return CoursePayload(errors=_missing("courseId", "course"))
    changes: Doc = {
        k: v
        for k, v in (("title", data.title), ("summary", data.summary), ("description", data.description))
        if v is not None
    }
    if data.modules is not None:
        changes["modules"] = [
            {"id": m.id, "title": m.title, "summary": m.summary, "lesson_ids": list(m.lesson_ids)} for m in data.modules
        ]
    outcome = await course_authoring.update_content(info.context.stores, row["content_id"], expected_version, changes)
    if isinstance(outcome, list):
        return CoursePayload(errors=_errors(outcome))
    return _course_payload(row, outcome)


async def publish_course(info: Info, course_id: strawberry.ID, published: bool) -> CoursePayload:
    row = await _my_course(info, course_id)
    if row is None:
        return CoursePayload(errors=_missing("courseId", "course"))
    outcome = await course_authoring.set_published(info.context.stores, row, published)
    if isinstance(outcome, list):
        return CoursePayload(errors=_errors(outcome))
    return CoursePayload(course=Course.from_row(outcome))


async def add_lesson(
    info: Info,
    course_id: strawberry.ID,
    expected_version: int,
    data: Annotated[NewLessonInput, strawberry.argument(name="input")],
) -> LessonPayload:
    row = await _my_course(info, course_id)
    if row is None:
        return LessonPayload(errors=_missing("courseId", "course"))
    fields = {
        "title": data.title.strip(),
        "summary": data.summary,
        "blocks": _blocks(data.blocks),
        "preview": data.preview,
        "duration_minutes": data.duration_minutes,
    }
    outcome = await course_authoring.add_lesson(
        info.context.stores,
        row["content_id"],
        module_id=data.module_id,
        expected_version=expected_version,
        slug=data.slug,
        fields=fields,
    )
    if isinstance(outcome, list):
        return LessonPayload(errors=_errors(outcome))
    lesson, content = outcome
    return LessonPayload(lesson=Lesson.from_doc(lesson), content_version=int(content["version"]))


async def update_lesson(
    info: Info,
    lesson_id: strawberry.ID,
    expected_version: int,
    data: Annotated[LessonEditInput, strawberry.argument(name="input")],
) -> LessonPayload:
    content_id = expect_content_id(lesson_id, "Lesson", "lesson")
    lesson = await info.context.loaders.lesson_by_id.load(content_id)
    if lesson is None:
        return LessonPayload(errors=_missing("lessonId", "lesson"))
    if not await owns_course_content(info.context, lesson["course_id"]):
        raise Forbidden(_NOT_YOURS)
    changes: Doc = {
        k: v
        for k, v in (
            ("title", data.title),
            ("summary", data.summary),
            ("preview", data.preview),
            ("duration_minutes", data.duration_minutes),
        )
        if v is not None
    }
    if data.blocks is not None:
        changes["blocks"] = _blocks(data.blocks)
    outcome = await course_authoring.update_lesson(info.context.stores, lesson, expected_version, changes)
    if isinstance(outcome, list):
        return LessonPayload(errors=_errors(outcome))
    return LessonPayload(lesson=Lesson.from_doc(outcome))


async def create_quiz(info: Info, data: Annotated[CreateQuizInput, strawberry.argument(name="input")]) -> QuizPayload:
    row = await _my_course(info, data.course_id)
    if row is None:
        return QuizPayload(errors=_missing("courseId", "course"))
    settings = {
        "pass_percent": data.settings.pass_percent,
        "time_limit_seconds": data.settings.time_limit_seconds,
        "attempts_allowed": data.settings.attempts_allowed,
        "review": data.settings.review,
    }
    outcome = await quiz_authoring.create_quiz(
        info.context.stores,
        row["content_id"],
        slug=data.slug,
        title=data.title,
        description=data.description,
        settings=settings,
    )
    return _quiz_payload(outcome)


async def save_question(
    info: Info,
    quiz_id: strawberry.ID,
    expected_version: int,
    data: Annotated[QuestionInput, strawberry.argument(name="input")],
    question_id: str | None = None,
) -> QuizPayload:
    fields = {
        "type": data.type.value,
        "prompt": data.prompt,
        "points": data.points,
        "options": [{"id": o.id, "text": o.text} for o in data.options],
        "answer": data.answer,
        "explanation": data.explanation,
        "tags": data.tags,
        "difficulty": data.difficulty.value,
    }
    stores = info.context.stores
    return await _edit_my_quiz(
        info, quiz_id, lambda quiz: quiz_authoring.save_question(stores, quiz, expected_version, question_id, fields)
    )


async def remove_question(info: Info, quiz_id: strawberry.ID, expected_version: int, question_id: str) -> QuizPayload:
    stores = info.context.stores
    return await _edit_my_quiz(
        info, quiz_id, lambda quiz: quiz_authoring.remove_question(stores, quiz, expected_version, question_id)
    )


async def publish_quiz(info: Info, quiz_id: strawberry.ID, expected_version: int, published: bool) -> QuizPayload:
    stores = info.context.stores
    return await _edit_my_quiz(
        info, quiz_id, lambda quiz: quiz_authoring.set_published(stores, quiz, expected_version, published)
    )
