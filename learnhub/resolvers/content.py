"""Lessons and quizzes by id."""

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
