"""Reads for the public previews behind share links: only the fields a preview shows.

These read content regardless of who is asking (the link is the permission, checked before),
so each projection names what may leave: never a question's answer or explanation, and a
course's lesson bodies only for its preview lessons.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from learnhub.datasources.mongo.content import Database, Doc, collection
from learnhub.datasources.mongo.documents import CourseContent, LessonContent, Question, QuizContent

# A find projection: fields to include, or (for lesson bodies) an expression.
Fields = Mapping[str, Any]

_COURSE: Fields = {"title": 1, "summary": 1, "description": 1, "modules": 1}
_OUTLINE: Fields = {"modules.lesson_ids": 1}
_LESSON: Fields = {"course_id": 1, "title": 1, "summary": 1, "preview": 1, "duration_minutes": 1, "blocks": 1}
# A course's lessons: the body comes back only for preview lessons (an expression in the find
# projection, MongoDB 4.4+), so the bodies of the others never leave the server.
_OUTLINE_LESSON: Fields = {**_LESSON, "blocks": {"$cond": [{"$eq": ["$preview", True]}, "$blocks", "$$REMOVE"]}}
_QUIZ: Fields = {"course_id": 1, "title": 1, "description": 1, "question_ids": 1}
# Named fields only: questions may carry fields editors added (hints among them).
_QUESTION: Fields = {"type": 1, "prompt": 1, "points": 1, "options.id": 1, "options.text": 1, "unit": 1}


async def _one(db: Database, model: type[Any], doc_id: str, projection: Fields) -> Doc | None:
    found: Doc | None = await collection(db, model).find_one({"_id": doc_id}, projection)
    return found


async def _many(db: Database, model: type[Any], ids: Sequence[str], projection: Fields) -> list[Doc]:
    size = max(len(ids), 1)
    cursor = collection(db, model).find({"_id": {"$in": list(ids)}}, projection, limit=size, batch_size=size)
    return [doc async for doc in cursor]


async def course(db: Database, course_id: str) -> Doc | None:
    return await _one(db, CourseContent, course_id, _COURSE)


async def course_outline(db: Database, course_id: str) -> Doc | None:
    """Only the lesson ids of the outline: which lessons the course still has."""
    return await _one(db, CourseContent, course_id, _OUTLINE)


async def outline_lessons(db: Database, lesson_ids: Sequence[str]) -> list[Doc]:
    return await _many(db, LessonContent, lesson_ids, _OUTLINE_LESSON)


async def lesson(db: Database, lesson_id: str) -> Doc | None:
    return await _one(db, LessonContent, lesson_id, _LESSON)


async def quiz(db: Database, quiz_id: str) -> Doc | None:
    return await _one(db, QuizContent, quiz_id, _QUIZ)


async def questions(db: Database, question_ids: Sequence[str]) -> list[Doc]:
    return await _many(db, Question, question_ids, _QUESTION)
