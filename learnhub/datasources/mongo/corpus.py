"""Reads of whole courses' content for the search indexes (the worker's side, not requests)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from learnhub.datasources.mongo.content import collection
from learnhub.datasources.mongo.documents import CourseContent, LessonContent, Question, QuizContent

Doc = dict[str, Any]
Database = AsyncDatabase[Doc]

# Only what the index documents and chunks are made of: never answers or explanations.
_COURSE = {"title": 1, "summary": 1, "description": 1, "modules": 1, "version": 1}
_LESSON = {"course_id": 1, "title": 1, "summary": 1, "blocks": 1, "preview": 1, "version": 1}
_QUIZ = {"course_id": 1, "title": 1, "question_ids": 1, "published": 1}
_QUESTION = {"prompt": 1, "tags": 1, "difficulty": 1, "type": 1, "updated_at": 1}


async def course_contents(db: Database, course_ids: Sequence[str] | None) -> list[Doc]:
    """Course documents by id; every course when `course_ids` is None."""
    where = {} if course_ids is None else {"_id": {"$in": list(course_ids)}}
    return await collection(db, CourseContent).find(where, _COURSE).to_list(None)


async def lessons_of(db: Database, course_ids: Sequence[str] | None) -> list[Doc]:
    where = {} if course_ids is None else {"course_id": {"$in": list(course_ids)}}
    return await collection(db, LessonContent).find(where, _LESSON).to_list(None)


async def quizzes_of(db: Database, course_ids: Sequence[str] | None) -> list[Doc]:
    where = {} if course_ids is None else {"course_id": {"$in": list(course_ids)}}
    return await collection(db, QuizContent).find(where, _QUIZ).to_list(None)


async def quizzes_listing(db: Database, question_ids: Sequence[str]) -> list[Doc]:
    """Every quiz that lists any of these questions (a question can sit in several quizzes)."""
    return await collection(db, QuizContent).find({"question_ids": {"$in": list(question_ids)}}, _QUIZ).to_list(None)


async def questions(db: Database, question_ids: Sequence[str]) -> list[Doc]:
    return await collection(db, Question).find({"_id": {"$in": list(question_ids)}}, _QUESTION).to_list(None)
