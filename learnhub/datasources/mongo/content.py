"""Reads of MongoDB content as plain documents, each with the projection its caller needs.

Reads skip Beanie's model validation (documents were validated when written) and return
dicts in the stored shape; GraphQL types map them with `from_doc()`. They take the database
explicitly instead of Beanie's process-wide binding, so a client is only ever used on the
event loop that opened it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from learnhub.datasources.mongo.documents import (
    CourseContent,
    LessonContent,
    Question,
    QuizAttemptDetails,
    QuizContent,
)

Doc = dict[str, Any]
Database = AsyncDatabase[Doc]
Projection = Mapping[str, int]

COURSE_OUTLINE: Projection = {"title": 1, "summary": 1, "description": 1, "modules": 1, "version": 1, "updated_at": 1}
# Lesson lists never need the body, which is most of a lesson's bytes.
LESSON_SUMMARY: Projection = {"blocks": 0}
LESSON_BODY: Projection = {"blocks": 1}
QUIZ_FIELDS: Projection = {
    "title": 1,
    "description": 1,
    "settings": 1,
    "question_ids": 1,
    "course_id": 1,
    "published": 1,
    "version": 1,
}
# Answers and explanations stay in the database unless grading or review asks for them.
QUESTION_PUBLIC: Projection = {"answer": 0, "explanation": 0}
QUESTION_ANSWER: Projection = {"answer": 1, "explanation": 1}


def collection(db: Database, model: type[Any]) -> AsyncCollection[Doc]:
    return db[model.Settings.name]


async def _by_ids(db: Database, model: type[Any], ids: Sequence[str], projection: Projection | None) -> list[Doc]:
    coll = collection(db, model)
    # limit = batch size = number of ids: the server answers in one reply and closes the cursor,
    # so no getMore/killCursors round trip follows (ids are unique: loaders de-duplicate keys).
    size = max(len(ids), 1)
    cursor = coll.find({"_id": {"$in": list(ids)}}, projection, limit=size, batch_size=size)
    return [doc async for doc in cursor]


async def course_content_by_ids(db: Database, ids: Sequence[str]) -> list[Doc]:
    return await _by_ids(db, CourseContent, ids, COURSE_OUTLINE)


async def lessons_by_ids(db: Database, ids: Sequence[str]) -> list[Doc]:
    return await _by_ids(db, LessonContent, ids, LESSON_SUMMARY)


async def lesson_bodies_by_ids(db: Database, ids: Sequence[str]) -> list[Doc]:
    return await _by_ids(db, LessonContent, ids, LESSON_BODY)


async def quizzes_by_ids(db: Database, ids: Sequence[str]) -> list[Doc]:
    return await _by_ids(db, QuizContent, ids, QUIZ_FIELDS)


async def questions_by_ids(db: Database, ids: Sequence[str]) -> list[Doc]:
    return await _by_ids(db, Question, ids, QUESTION_PUBLIC)


async def question_answers_by_ids(db: Database, ids: Sequence[str]) -> list[Doc]:
    return await _by_ids(db, Question, ids, QUESTION_ANSWER)


async def attempt_details_by_ids(db: Database, ids: Sequence[str]) -> list[Doc]:
    return await _by_ids(db, QuizAttemptDetails, ids, None)


async def questions_raw_page(db: Database, limit: int, after_id: str | None = None) -> list[Doc]:
    """The `questions` collection exactly as stored, in `_id` order, for the legacy REST route."""
    query = {"_id": {"$gt": after_id}} if after_id is not None else {}
    cursor = collection(db, Question).find(query, sort=[("_id", 1)], limit=limit, batch_size=limit)
    return [doc async for doc in cursor]


async def questions_for_grading(db: Database, ids: Sequence[str]) -> list[Doc]:
    """Whole question documents, answers included: only grading reads these."""
    return await _by_ids(db, Question, ids, None)


async def save_attempt_details(db: Database, details: Doc) -> None:
    """Write an attempt's details under its fixed id. A replace, so a retry after a crash
    overwrites the unreferenced copy an interrupted submission left, never adds a second."""
    await collection(db, QuizAttemptDetails).replace_one({"_id": details["_id"]}, details, upsert=True)


def question_filter(kind: str | None, tag: str | None, after_id: str | None) -> Doc:
    query: Doc = {}
    if kind is not None:
        query["type"] = kind
    if tag is not None:
        query["tags"] = tag
    if after_id is not None:
        query["_id"] = {"$gt": after_id}
    return query


async def question_bank_page(
    db: Database, kind: str | None, tag: str | None, after_id: str | None, limit: int
) -> list[Doc]:
    """Questions without answers, in `_id` order: one find, one reply (limit = batch size)."""
    size = max(limit, 1)
    cursor = collection(db, Question).find(
        question_filter(kind, tag, after_id), QUESTION_PUBLIC, sort=[("_id", 1)], limit=size, batch_size=size
    )
    return [doc async for doc in cursor]


async def count_question_bank(db: Database, kind: str | None, tag: str | None) -> int:
    return int(await collection(db, Question).count_documents(question_filter(kind, tag, None)))
