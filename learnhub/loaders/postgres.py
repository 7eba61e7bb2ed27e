"""Loaders for PostgreSQL rows."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.auth.viewer import Viewer
from learnhub.auth.visibility import may_see_course
from learnhub.datasources.postgres import achievements, attempts, courses, enrollments, progress, users
from learnhub.loaders.batching import MAX_BATCH_SIZE, DataLoader, in_key_order

Row = RowMapping


class UserByIdLoader(DataLoader[uuid.UUID, Row | None]):
    def __init__(self, engine: AsyncEngine) -> None:
        async def load(ids: list[uuid.UUID]) -> list[Row | None]:
            return in_key_order(ids, await users.users_by_ids(engine, ids), lambda r: r["id"])

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


Seen = Callable[[Sequence[Row]], None]


class CourseByIdLoader(DataLoader[uuid.UUID, Row | None]):
    """Course rows the viewer may see (auth/visibility.py); a hidden course reads as a miss.

    `seen` gets every row fetched, so the registry can prime the by-content-id loader with it.
    """

    def __init__(self, engine: AsyncEngine, viewer: Viewer, seen: Seen) -> None:
        async def load(ids: list[uuid.UUID]) -> list[Row | None]:
            rows = await courses.courses_by_ids(engine, ids)
            seen(rows)
            return in_key_order(ids, [r for r in rows if may_see_course(viewer, r)], lambda r: r["id"])

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class CourseByContentIdLoader(DataLoader[str, Row | None]):
    """Course rows the viewer may see, by content id (`course:<slug>`); a hidden course reads as a miss."""

    def __init__(self, engine: AsyncEngine, viewer: Viewer, seen: Seen) -> None:
        async def load(ids: list[str]) -> list[Row | None]:
            rows = await courses.courses_by_content_ids(engine, ids)
            seen(rows)
            return in_key_order(ids, [r for r in rows if may_see_course(viewer, r)], lambda r: r["content_id"])

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class QuizAttemptByIdLoader(DataLoader[uuid.UUID, Row | None]):
    def __init__(self, engine: AsyncEngine) -> None:
        async def load(ids: list[uuid.UUID]) -> list[Row | None]:
            return in_key_order(ids, await attempts.attempts_by_ids(engine, ids), lambda r: r["id"])

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


ProgressKey = tuple[uuid.UUID, str]


class LessonProgressByUserLessonLoader(DataLoader[ProgressKey, Row | None]):
    """Key: (user id, lesson content id)."""

    def __init__(self, engine: AsyncEngine) -> None:
        async def load(keys: list[ProgressKey]) -> Sequence[Row | None]:
            user_ids = sorted({user for user, _ in keys})
            lesson_ids = sorted({lesson for _, lesson in keys})
            rows = await progress.progress_for(engine, user_ids, lesson_ids)
            return in_key_order(keys, rows, lambda r: (r["user_id"], r["lesson_content_id"]))

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


EnrollmentKey = tuple[uuid.UUID, uuid.UUID]


class EnrollmentByUserCourseLoader(DataLoader[EnrollmentKey, Row | None]):
    """Key: (user id, course id)."""

    def __init__(self, engine: AsyncEngine) -> None:
        async def load(keys: list[EnrollmentKey]) -> Sequence[Row | None]:
            user_ids = sorted({user for user, _ in keys})
            course_ids = sorted({course for _, course in keys})
            rows = await enrollments.enrollments_for_pairs(engine, user_ids, course_ids)
            return in_key_order(keys, rows, lambda r: (r["user_id"], r["course_id"]))

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


SubmittedKey = tuple[uuid.UUID, str]


class SubmittedAttemptByUserQuizLoader(DataLoader[SubmittedKey, Row | None]):
    """Key: (user id, quiz content id) -> {passed} when the user submitted an attempt, else None."""

    def __init__(self, engine: AsyncEngine) -> None:
        async def load(keys: list[SubmittedKey]) -> Sequence[Row | None]:
            user_ids = sorted({user for user, _ in keys})
            quiz_ids = sorted({quiz for _, quiz in keys})
            rows = await attempts.submitted_for(engine, user_ids, quiz_ids)
            return in_key_order(keys, rows, lambda r: (r["user_id"], r["quiz_content_id"]))

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class LessonProgressByUserCourseLoader(DataLoader[EnrollmentKey, list[Row]]):
    """Key: (user id, course id) -> that user's progress rows in the course, oldest first."""

    def __init__(self, engine: AsyncEngine) -> None:
        async def load(keys: list[EnrollmentKey]) -> list[list[Row]]:
            user_ids = sorted({user for user, _ in keys})
            course_ids = sorted({course for _, course in keys})
            grouped: dict[EnrollmentKey, list[Row]] = {}
            for row in await progress.progress_in_courses(engine, user_ids, course_ids):
                grouped.setdefault((row["user_id"], row["course_id"]), []).append(row)
            return [grouped.get(key, []) for key in keys]

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class UserStatsByUserIdLoader(DataLoader[uuid.UUID, Row | None]):
    """The user's row of the user_stats view (None until the worker's first refresh after sign-up)."""

    def __init__(self, engine: AsyncEngine) -> None:
        async def load(ids: list[uuid.UUID]) -> list[Row | None]:
            return in_key_order(ids, await achievements.stats_by_user_ids(engine, ids), lambda r: r["user_id"])

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)


class AchievementsByUserIdLoader(DataLoader[uuid.UUID, list[Row]]):
    """The user's awarded achievements, oldest first."""

    def __init__(self, engine: AsyncEngine) -> None:
        async def load(ids: list[uuid.UUID]) -> list[list[Row]]:
            grouped: dict[uuid.UUID, list[Row]] = {}
            for row in await achievements.achievements_of_users(engine, ids):
                grouped.setdefault(row["user_id"], []).append(row)
            return [grouped.get(user_id, []) for user_id in ids]

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)
