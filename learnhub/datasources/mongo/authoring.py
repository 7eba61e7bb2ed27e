"""Writes of course content, lessons, quizzes and questions, with optimistic concurrency.

Every editable document carries a `version`; an update names the version it was based on and
matches nothing if someone saved in between, so a stale write changes nothing.
"""

from __future__ import annotations

from typing import Any

from pymongo.errors import DuplicateKeyError

from learnhub.datasources.mongo.content import Database, collection
from learnhub.datasources.mongo.documents import CourseContent, LessonContent, Question, QuizContent, utcnow

Doc = dict[str, Any]


class IdTaken(Exception):
    pass


async def put_course_content(db: Database, doc: Doc) -> None:
    """Create (or, after a crash left an unreferenced copy, replace) a course's content."""
    await collection(db, CourseContent).replace_one({"_id": doc["_id"]}, doc, upsert=True)


async def _insert(db: Database, model: type[Any], doc: Doc) -> None:
    try:
        await collection(db, model).insert_one(doc)
    except DuplicateKeyError as exc:
        raise IdTaken(doc["_id"]) from exc


async def put_lesson(db: Database, lesson_id: str, course_id: str, fields: Doc) -> Doc:
    """Create the lesson, or overwrite `fields` of the course's lesson with this id; the document.

    The version goes on from the overwritten one, so a client holding an older version of that
    lesson gets a conflict instead of editing the new text. Fields not given (its quiz link)
    are kept. IdTaken when another course's lesson has the id.
    """
    try:
        doc = await collection(db, LessonContent).find_one_and_update(
            {"_id": lesson_id, "course_id": course_id},
            {"$set": {**fields, "updated_at": utcnow()}, "$inc": {"version": 1}},
            upsert=True,
            return_document=True,
        )
    except DuplicateKeyError as exc:
        raise IdTaken(lesson_id) from exc
    assert doc is not None  # an upsert returning the document after the write always has one
    return doc


async def insert_quiz(db: Database, doc: Doc) -> None:
    await _insert(db, QuizContent, doc)


async def insert_question(db: Database, doc: Doc) -> None:
    await _insert(db, Question, doc)


async def update_versioned(
    db: Database, model: type[Any], doc_id: str, expected_version: int, changes: Doc, *, extra: Doc | None = None
) -> Doc | None:
    """Apply `changes` if the document is still at `expected_version`; the new document, or None."""
    update: Doc = {"$set": {**changes, "updated_at": utcnow()}, "$inc": {"version": 1}, **(extra or {})}
    return await collection(db, model).find_one_and_update(
        {"_id": doc_id, "version": expected_version}, update, return_document=True
    )


async def current_version(db: Database, model: type[Any], doc_id: str) -> int | None:
    doc = await collection(db, model).find_one({"_id": doc_id}, {"version": 1})
    return int(doc.get("version", 1)) if doc is not None else None


async def lessons_of_course(db: Database, course_content_id: str) -> set[str]:
    cursor = collection(db, LessonContent).find({"course_id": course_content_id}, {"_id": 1})
    return {doc["_id"] async for doc in cursor}


async def delete_lesson(db: Database, lesson_id: str, *, version: int) -> None:
    """Delete the lesson if it is still at `version`: an edit since then keeps it."""
    await collection(db, LessonContent).delete_one({"_id": lesson_id, "version": version})


async def current_content(db: Database, content_id: str) -> Doc | None:
    return await collection(db, CourseContent).find_one({"_id": content_id}, {"modules": 1, "version": 1})
