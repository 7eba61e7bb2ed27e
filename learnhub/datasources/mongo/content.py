"""Reads of MongoDB content as plain documents, each with the projection its caller needs.

Reads skip Beanie's model validation (documents were validated when written) and return
dicts in the stored shape; GraphQL types map them with `from_doc()`. They take the database
explicitly instead of Beanie's process-wide binding, so a client is only ever used on the
event loop that opened it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from learnhub.datasources.guard import guard_of
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
# What a course's `title` and `lessonCount` read: a catalogue page of 50 courses decodes a
# fraction of the outlines' bytes (module titles and summaries, descriptions).
COURSE_SUMMARY: Projection = {"title": 1, "modules.lesson_ids": 1}
# Lesson lists never need the body, which is most of a lesson's bytes.
LESSON_SUMMARY: Projection = {"blocks": 0}
# The course id decides who may read the body (auth/visibility.py).
LESSON_BODY: Projection = {"blocks": 1, "course_id": 1}
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
    # The by-id reads every content loader makes: within MongoDB's timeout and breaker when the
    # client has them (datasources/guard.py).
    store_guard = guard_of(db.client)
    if store_guard is not None:
        return await store_guard.run(_by_ids_unguarded, db, model, ids, projection)
    return await _by_ids_unguarded(db, model, ids, projection)


async def _by_ids_unguarded(
    db: Database, model: type[Any], ids: Sequence[str], projection: Projection | None
) -> list[Doc]:
    coll = collection(db, model)
    # limit = batch size = number of ids: the server answers in one reply and closes the cursor,
    # so no getMore/killCursors round trip follows (ids are unique: loaders de-duplicate keys).
    size = max(len(ids), 1)
    cursor = coll.find({"_id": {"$in": list(ids)}}, projection, limit=size, batch_size=size)
    return [doc async for doc in cursor]


Reader = Callable[[Database, Sequence[str]], Awaitable[list[Doc]]]


def _reader(model: type[Any], projection: Projection | None) -> Reader:
    """A batched read of `model` documents by id with `projection` (None: whole documents)."""

    async def read(db: Database, ids: Sequence[str]) -> list[Doc]:
        return await _by_ids(db, model, ids, projection)

    return read


course_content_by_ids = _reader(CourseContent, COURSE_OUTLINE)
course_summaries_by_ids = _reader(CourseContent, COURSE_SUMMARY)
lessons_by_ids = _reader(LessonContent, LESSON_SUMMARY)
lesson_bodies_by_ids = _reader(LessonContent, LESSON_BODY)
quizzes_by_ids = _reader(QuizContent, QUIZ_FIELDS)
questions_by_ids = _reader(Question, QUESTION_PUBLIC)
question_answers_by_ids = _reader(Question, QUESTION_ANSWER)
attempt_details_by_ids = _reader(QuizAttemptDetails, None)


async def questions_raw_page(db: Database, listed: Listed | None, limit: int, after_id: str | None = None) -> list[Doc]:
    """Questions exactly as stored, in `_id` order, for the legacy REST route: only those `listed`
    names (None: every question)."""
    query = {"_id": {"$gt": after_id}} if after_id is not None else {}
    cursor = collection(db, Question).find(_among(query, listed), sort=[("_id", 1)], limit=limit, batch_size=limit)
    return [doc async for doc in cursor]


async def quizzes_containing(db: Database, question_ids: Sequence[str]) -> list[Doc]:
    """Every quiz that lists one of `question_ids` (multikey index on `question_ids`)."""
    cursor = collection(db, QuizContent).find({"question_ids": {"$in": list(question_ids)}}, QUIZ_FIELDS)
    return [doc async for doc in cursor]


# Whole question documents, answers included: only grading reads these.
questions_for_grading = _reader(Question, None)


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


# Question id -> the ids of the visible quizzes that list it.
Listed = dict[str, list[str]]


async def listed_questions(db: Database, quizzes: Doc) -> Listed:
    """Which questions the quizzes matching `quizzes` list, and in which of them: one find on
    `quiz_content`. Lists filtered by quiz (the question bank) then read only these ids.

    Measured at scale 10 (500-question page): this read plus a find by `_id` cost about 1 ms of the
    server's time. One aggregation doing both with `$lookup` cost 40 ms (quizzes first) to 100 ms
    (each question looking up its quizzes): a round trip is far cheaper than a lookup per question.
    """
    listed: Listed = {}
    async for quiz in collection(db, QuizContent).find(quizzes, {"question_ids": 1}):
        for question_id in quiz.get("question_ids", ()):
            listed.setdefault(question_id, []).append(quiz["_id"])
    return listed


def _among(query: Doc, listed: Listed | None) -> Doc:
    """`query` narrowed to the `listed` question ids (None: not narrowed)."""
    if listed is None:
        return query
    return {**query, "_id": {**query.get("_id", {}), "$in": sorted(listed)}}


async def question_bank_page(
    db: Database, listed: Listed | None, kind: str | None, tag: str | None, *, after_id: str | None, limit: int
) -> list[Doc]:
    """Questions without answers, in `_id` order, only those `listed` names (None: all): one find,
    one reply (limit = batch size)."""
    size = max(limit, 1)
    query = _among(question_filter(kind, tag, after_id), listed)
    cursor = collection(db, Question).find(query, QUESTION_PUBLIC, sort=[("_id", 1)], limit=size, batch_size=size)
    return [doc async for doc in cursor]


async def count_question_bank(db: Database, listed: Listed | None, kind: str | None, tag: str | None) -> int:
    return int(await collection(db, Question).count_documents(_among(question_filter(kind, tag, None), listed)))
