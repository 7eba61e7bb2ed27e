"""Loaders for MongoDB content documents (string ids, projected reads).

Every content loader a resolver can reach hands out only records the viewer may see
(auth/visibility.py): it reads the documents, then their courses' rows through the visible
course loader (one batched read per request, usually primed by the page that listed the
courses), and drops the rest, so a hidden record answers exactly as a missing id does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.engine import RowMapping

from learnhub.auth.viewer import Viewer
from learnhub.auth.visibility import may_see_quiz
from learnhub.datasources.mongo import content
from learnhub.loaders.batching import MAX_BATCH_SIZE, DataLoader, in_key_order
from learnhub.loaders.postgres import CourseByContentIdLoader

Doc = dict[str, Any]
Fetch = Callable[[content.Database, Sequence[str]], Awaitable[list[Doc]]]


def _by_id(doc: Doc) -> str:
    return str(doc["_id"])


class _DocLoader(DataLoader[str, Doc | None]):
    """Documents as stored (after the projection), with no visibility rule: for records whose
    visibility a parent already decided (a visible quiz's questions), or that carry their own rule."""

    fetch: Fetch

    def __init__(self, db: content.Database) -> None:
        fetch = type(self).fetch

        async def load(ids: list[str]) -> list[Doc | None]:
            return in_key_order(ids, await fetch(db, ids), _by_id)

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class _VisibleDocLoader(DataLoader[str, Doc | None]):
    """Documents of courses the viewer may see; `course_of` names a document's course."""

    fetch: Fetch

    @staticmethod
    def course_of(doc: Doc) -> str:
        return str(doc.get("course_id", ""))

    def visible(self, viewer: Viewer, course: RowMapping, doc: Doc) -> bool:
        """Beyond the course's own rule (a visible course shows its content and lessons)."""
        return True

    def __init__(self, db: content.Database, viewer: Viewer, courses: CourseByContentIdLoader) -> None:
        fetch = type(self).fetch
        course_of = type(self).course_of

        async def load(ids: list[str]) -> list[Doc | None]:
            docs = await fetch(db, ids)
            rows = await courses.load_many([course_of(doc) for doc in docs])
            pairs = zip(docs, rows, strict=True)
            kept = [doc for doc, row in pairs if row is not None and self.visible(viewer, row, doc)]
            return in_key_order(ids, kept, _by_id)

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class CourseContentByIdLoader(_VisibleDocLoader):
    fetch = staticmethod(content.course_content_by_ids)

    @staticmethod
    def course_of(doc: Doc) -> str:
        return str(doc["_id"])  # the content document of course:<slug> has that id


class CourseSummaryByIdLoader(CourseContentByIdLoader):
    """A course's title and its modules' lesson ids only (`title`, `lessonCount`)."""

    fetch = staticmethod(content.course_summaries_by_ids)


class LessonByIdLoader(_VisibleDocLoader):
    """Lesson without its body."""

    fetch = staticmethod(content.lessons_by_ids)


class LessonBodyByIdLoader(_VisibleDocLoader):
    fetch = staticmethod(content.lesson_bodies_by_ids)


class QuizByIdLoader(_VisibleDocLoader):
    """Published quizzes of visible courses; drafts for the course's instructor and admins."""

    fetch = staticmethod(content.quizzes_by_ids)

    def visible(self, viewer: Viewer, course: RowMapping, doc: Doc) -> bool:
        return may_see_quiz(viewer, course, doc)


class QuizzesOfQuestionLoader(DataLoader[str, list[Doc]]):
    """Question id -> the visible quizzes that list it (a question is visible through them)."""

    def __init__(
        self, db: content.Database, viewer: Viewer, courses: CourseByContentIdLoader, quizzes: QuizByIdLoader
    ) -> None:
        async def load(ids: list[str]) -> list[list[Doc]]:
            found = await content.quizzes_containing(db, ids)
            rows = await courses.load_many([str(q.get("course_id", "")) for q in found])
            visible = [q for q, row in zip(found, rows, strict=True) if may_see_quiz(viewer, row, q)]
            shown = {q["_id"] for q in visible}
            for quiz in found:
                quizzes.prime(quiz["_id"], quiz if quiz["_id"] in shown else None)
            return [[q for q in visible if question_id in q.get("question_ids", ())] for question_id in ids]

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class MemberQuestionByIdLoader(_DocLoader):
    """Questions without answers, reached through a quiz the viewer may see (its question list,
    an attempt's details): that quiz decides their visibility. Anything else: QuestionByIdLoader."""

    fetch = staticmethod(content.questions_by_ids)


class QuestionByIdLoader(DataLoader[str, Doc | None]):
    """Questions without answers, reached by id alone: visible when a visible quiz lists them.
    The quiz lookup runs beside the read, so it costs no extra wait."""

    def __init__(self, members: MemberQuestionByIdLoader, quizzes: QuizzesOfQuestionLoader) -> None:
        async def load(ids: list[str]) -> list[Doc | None]:
            docs, listed = await asyncio.gather(members.load_many(ids), quizzes.load_many(ids))
            return [doc if in_quizzes else None for doc, in_quizzes in zip(docs, listed, strict=True)]

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class QuestionAnswerByIdLoader(_DocLoader):
    """Only answers and explanations. Read only behind the answer rule (graphql/execution/policy.may_see_answers),
    which itself reaches the question's quiz through the visible quiz loader."""

    fetch = staticmethod(content.question_answers_by_ids)


class QuizAttemptDetailsByIdLoader(_DocLoader):
    """Guarded by the attempt rows they hang from (graphql/execution/policy.may_see_attempt)."""

    fetch = staticmethod(content.attempt_details_by_ids)
