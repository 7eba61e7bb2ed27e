"""Lessons and quizzes by id, and who may read a lesson's body."""

from __future__ import annotations

from learnhub.context import Info
from learnhub.schema.content import Lesson
from learnhub.schema.node import expect_content_id
from learnhub.schema.quizzes import Quiz


async def lesson(info: Info, id: str) -> Lesson | None:
    doc = await info.context.loaders.lesson_by_id.load(expect_content_id(id, "Lesson", "lesson"))
    return Lesson.from_doc(doc) if doc is not None else None


async def quiz(info: Info, id: str) -> Quiz | None:
    doc = await info.context.loaders.quiz_by_id.load(expect_content_id(id, "Quiz", "quiz"))
    return Quiz.from_doc(doc) if doc is not None else None


async def may_read_body(info: Info, lesson: Lesson) -> bool:
    """Previews are public; otherwise the viewer must be enrolled in the lesson's course (or staff)."""
    if lesson.preview:
        return True
    viewer = info.context.viewer
    if viewer.user_id is None:
        return False
    if viewer.is_staff:
        return True
    course = await info.context.loaders.course_by_content_id.load(lesson.course_content_id)
    if course is None:
        return False
    enrollment = await info.context.loaders.enrollment_by_user_course.load((viewer.user_id, course["id"]))
    return enrollment is not None and enrollment["status"] != "cancelled"
