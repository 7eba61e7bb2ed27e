"""Loaders for PostgreSQL rows.

Each loader names what it reads (`fetch`: one query for a whole batch of keys) and the columns
a row's key is in (`key`); the bases answer each key from the rows, in key order.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from operator import itemgetter
from typing import TypeVar

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.auth.viewer import Viewer
from learnhub.auth.visibility import may_see_course
from learnhub.datasources.postgres import achievements, attempts, courses, enrollments, progress, raw, users
from learnhub.loaders.batching import MAX_BATCH_SIZE, DataLoader, in_key_groups, in_key_order

# Rows read through asyncpg (raw.Row), or SQLAlchemy's RowMapping, which the document loaders
# built on these bases (files.py) still name. Both are read by column name.
Row = raw.Row | RowMapping
K = TypeVar("K")
V = TypeVar("V")
Other = TypeVar("Other", uuid.UUID, str)
Fetch = Callable[[AsyncEngine, list[K]], Awaitable[Sequence[Row]]]
KeyOf = Callable[[Row], K]


def by_pairs(
    fetch: Callable[[AsyncEngine, list[uuid.UUID], list[Other]], Awaitable[Sequence[Row]]],
) -> Fetch[tuple[uuid.UUID, Other]]:
    """A read by (user id, other id) keys, made as one read by the keys' distinct user ids and
    distinct other ids: its rows may pair them otherwise, and answering by key leaves those out."""

    async def read(engine: AsyncEngine, keys: list[tuple[uuid.UUID, Other]]) -> Sequence[Row]:
        return await fetch(engine, sorted({user for user, _ in keys}), sorted({other for _, other in keys}))

    return read


class _Loader(DataLoader[K, V]):
    fetch: Fetch[K]
    key: tuple[str, ...] = ("id",)

    def __init__(self, engine: AsyncEngine) -> None:
        fetch, key_of = type(self).fetch, itemgetter(*self.key)

        async def load(keys: list[K]) -> list[V]:
            return self.answer(keys, await fetch(engine, keys), key_of)

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)

    def answer(self, keys: list[K], rows: Sequence[Row], key_of: KeyOf[K]) -> list[V]:
        raise NotImplementedError


class _RowLoader(_Loader[K, Row | None]):
    """One row per key; None for a miss."""

    def answer(self, keys: list[K], rows: Sequence[Row], key_of: KeyOf[K]) -> list[Row | None]:
        return in_key_order(keys, rows, key_of)


class _RowsLoader(_Loader[K, list[Row]]):
    """Every row of each key, in the order read; none: an empty list."""

    def answer(self, keys: list[K], rows: Sequence[Row], key_of: KeyOf[K]) -> list[list[Row]]:
        return in_key_groups(keys, rows, key_of)


Seen = Callable[[Sequence[Row]], None]


class _CourseLoader(_RowLoader[K]):
    """Course rows the viewer may see (auth/visibility.py); a hidden course reads as a miss.

    `seen` gets every row fetched, so the registry can prime the other course loader with it.
    """

    def __init__(self, engine: AsyncEngine, viewer: Viewer, seen: Seen) -> None:
        self._viewer = viewer
        self._seen = seen
        super().__init__(engine)

    def answer(self, keys: list[K], rows: Sequence[Row], key_of: KeyOf[K]) -> list[Row | None]:
        self._seen(rows)
        return in_key_order(keys, [r for r in rows if may_see_course(self._viewer, r)], key_of)


class UserByIdLoader(_RowLoader[uuid.UUID]):
    fetch = staticmethod(users.users_by_ids)


class CourseByIdLoader(_CourseLoader[uuid.UUID]):
    fetch = staticmethod(courses.courses_by_ids)


class CourseByContentIdLoader(_CourseLoader[str]):
    """By content id (`course:<slug>`)."""

    fetch = staticmethod(courses.courses_by_content_ids)
    key = ("content_id",)


class QuizAttemptByIdLoader(_RowLoader[uuid.UUID]):
    fetch = staticmethod(attempts.attempts_by_ids)


class ViewerProgressByLessonLoader(DataLoader[str, raw.Row | None]):
    """The viewer's own progress rows by lesson content id. A dashboard asks for ~1,000 lessons:
    plain string keys, where `(user id, lesson id)` pairs hashed a UUID about eight times each
    in the loader's bookkeeping (~2 ms of a dashboard's 25)."""

    def __init__(self, engine: AsyncEngine, user_id: uuid.UUID) -> None:
        key_of = itemgetter("lesson_content_id")

        async def load(lesson_ids: list[str]) -> list[raw.Row | None]:
            return in_key_order(lesson_ids, await progress.progress_for(engine, [user_id], lesson_ids), key_of)

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


EnrollmentKey = tuple[uuid.UUID, uuid.UUID]


class EnrollmentByUserCourseLoader(_RowLoader[EnrollmentKey]):
    """Key: (user id, course id)."""

    fetch = staticmethod(by_pairs(enrollments.enrollments_for_pairs))
    key = ("user_id", "course_id")


SubmittedKey = tuple[uuid.UUID, str]


class SubmittedAttemptByUserQuizLoader(_RowLoader[SubmittedKey]):
    """Key: (user id, quiz content id) -> {passed} when the user submitted an attempt, else None."""

    fetch = staticmethod(by_pairs(attempts.submitted_for))
    key = ("user_id", "quiz_content_id")


class LessonProgressByUserCourseLoader(_RowsLoader[EnrollmentKey]):
    """Key: (user id, course id) -> that user's progress rows in the course, oldest first."""

    fetch = staticmethod(by_pairs(progress.progress_in_courses))
    key = ("user_id", "course_id")


class UserStatsByUserIdLoader(_RowLoader[uuid.UUID]):
    """The user's row of the user_stats view (None until the worker's first refresh after sign-up)."""

    fetch = staticmethod(achievements.stats_by_user_ids)
    key = ("user_id",)


class AchievementsByUserIdLoader(_RowsLoader[uuid.UUID]):
    """The user's awarded achievements, oldest first."""

    fetch = staticmethod(achievements.achievements_of_users)
    key = ("user_id",)
