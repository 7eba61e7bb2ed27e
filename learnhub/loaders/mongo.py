"""Loaders for MongoDB content documents (string ids, projected reads)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from learnhub.datasources.mongo import content
from learnhub.loaders.batching import MAX_BATCH_SIZE, DataLoader, in_key_order

Doc = dict[str, Any]


class _DocLoader(DataLoader[str, Doc | None]):
    fetch: Callable[[content.Database, Sequence[str]], Awaitable[list[Doc]]]

    def __init__(self, db: content.Database) -> None:
        fetch = type(self).fetch

        async def load(ids: list[str]) -> list[Doc | None]:
            return in_key_order(ids, await fetch(db, ids), lambda d: d["_id"])

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class CourseContentByIdLoader(_DocLoader):
    fetch = staticmethod(content.course_content_by_ids)


class LessonByIdLoader(_DocLoader):
    """Lesson without its body."""

    fetch = staticmethod(content.lessons_by_ids)


class LessonBodyByIdLoader(_DocLoader):
    fetch = staticmethod(content.lesson_bodies_by_ids)


class QuizByIdLoader(_DocLoader):
    fetch = staticmethod(content.quizzes_by_ids)


class QuestionByIdLoader(_DocLoader):
    """Questions without answers or explanations."""

    fetch = staticmethod(content.questions_by_ids)


class QuestionAnswerByIdLoader(_DocLoader):
    """Only answers and explanations: loaded when a permitted viewer asks for them."""

    fetch = staticmethod(content.question_answers_by_ids)


class QuizAttemptDetailsByIdLoader(_DocLoader):
    fetch = staticmethod(content.attempt_details_by_ids)
