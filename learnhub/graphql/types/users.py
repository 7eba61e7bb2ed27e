"""Users, their profiles and enrollments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import cast

import strawberry
from sqlalchemy.engine import RowMapping

from learnhub.auth.visibility import course_scope
from learnhub.datasources.postgres import attempts as attempt_rows
from learnhub.datasources.postgres import enrollments as enrollment_rows
from learnhub.datasources.postgres import payments as payment_rows
from learnhub.files import uploads
from learnhub.graphql.context import Info
from learnhub.graphql.relay.connections import Connection, paged
from learnhub.graphql.relay.node import Node, to_global_id
from learnhub.graphql.relay.prefetch import NOT_FETCHED, NotFetched, later
from learnhub.graphql.relay.selection import CONNECTION_ITEMS, selects_any
from learnhub.graphql.types.content import Lesson, LessonProgress, not_found
from learnhub.graphql.types.courses import Course, with_content
from learnhub.graphql.types.enums import EnrollmentStatus, Role
from learnhub.graphql.types.payments import Payment, PlanSubscription
from learnhub.graphql.types.quizzes import QuizAttempt


@strawberry.type
class Profile:
    display_name: str
    bio: str | None
    avatar_url: str | None
    timezone: str


@strawberry.type(description="Learning totals, refreshed by the worker shortly after each change.")
class UserStats:
    courses_completed: int
    quizzes_passed: int = strawberry.field(description="Distinct quizzes with a passing attempt.")
    average_score: float | None = strawberry.field(description="Mean of submitted attempts' scores, in percent.")
    xp: int = strawberry.field(description="Achievement XP plus 10 per quiz passed and 50 per course completed.")
    streak_days: int = strawberry.field(description="Consecutive days of learning up to today or yesterday (UTC).")
    refreshed_at: datetime | None

    @classmethod
    def from_row(cls, row: RowMapping | None) -> UserStats:
        if row is None:
            return cls(
                courses_completed=0, quizzes_passed=0, average_score=None, xp=0, streak_days=0, refreshed_at=None
            )
        last_day = row["streak_last_day"]
        current = last_day is not None and last_day >= datetime.now(UTC).date() - timedelta(days=1)
        average = row["average_score"]
        return cls(
            courses_completed=row["courses_completed"],
            quizzes_passed=row["quizzes_passed"],
            average_score=round(average, 1) if average is not None else None,
            xp=row["xp"],
            streak_days=row["streak_days"] if current else 0,
            refreshed_at=row["refreshed_at"],
        )


@strawberry.type
class EarnedAchievement:
    code: str
    title: str
    description: str
    xp: int
    awarded_at: datetime


@strawberry.type
class Enrollment(Node):
    row: strawberry.Private[RowMapping]
    status: EnrollmentStatus
    enrolled_at: datetime
    completed_at: datetime | None
    # The course when the page it is on fetched its courses in one batch (see with_courses).
    fetched_course: strawberry.Private[Course | NotFetched | None] = NOT_FETCHED

    @classmethod
    def from_row(cls, row: RowMapping) -> Enrollment:
        return cls(
            row=row,
            id=to_global_id("Enrollment", row["id"]),
            status=EnrollmentStatus(row["status"]),
            enrolled_at=row["created_at"],
            completed_at=row["completed_at"],
        )

    @strawberry.field(description="Not found once the course is no longer visible (unpublished).")
    def course(self, info: Info) -> Course | None:
        # Fetched with the page (with_courses) or loaded: see learnhub/graphql/relay/prefetch.py.
        if isinstance(self.fetched_course, NotFetched):
            return later(self._load_course(info))
        if self.fetched_course is None:  # graphql-core reports a returned error at this field's path
            return cast(Course, not_found("Course", self.row["course_id"]))
        return self.fetched_course

    async def _load_course(self, info: Info) -> Course | None:
        row = await info.context.loaders.course_by_id.load(self.row["course_id"])
        if row is None:
            raise not_found("Course", self.row["course_id"])
        return Course.from_row(row)

    @strawberry.field(
        description="The student's progress in the course's lessons: visible to them, the instructor and admins."
    )
    async def progress(self, info: Info) -> list[LessonProgress] | None:
        rows = await info.context.loaders.progress_by_user_course.load((self.row["user_id"], self.row["course_id"]))
        return [LessonProgress.from_row(row) for row in rows]

    async def _outline(self, info: Info) -> tuple[list[str], list[RowMapping]]:
        """The course's lessons in order and the student's progress rows (two batched reads)."""
        from learnhub.learning.progress import lesson_ids_of

        loaders = info.context.loaders
        course = await loaders.course_by_id.load(self.row["course_id"])
        content = await loaders.course_content_by_id.load(course["content_id"]) if course is not None else None
        rows = await loaders.progress_by_user_course.load((self.row["user_id"], self.row["course_id"]))
        return (lesson_ids_of(content) if content is not None else []), list(rows)

    @strawberry.field(description="Lessons in the course.")
    async def lesson_count(self, info: Info) -> int:
        return len((await self._outline(info))[0])

    @strawberry.field(description="Of the course's lessons, how many the student completed.")
    async def completed_lesson_count(self, info: Info) -> int:
        lessons, rows = await self._outline(info)
        return len(set(lessons) & {r["lesson_content_id"] for r in rows if r["completed_at"] is not None})

    @strawberry.field(description="Completed lessons in percent of the course's lessons (0 to 100).")
    async def completion_percent(self, info: Info) -> float:
        lessons, rows = await self._outline(info)
        done = set(lessons) & {r["lesson_content_id"] for r in rows if r["completed_at"] is not None}
        return round(100.0 * len(done) / len(lessons), 1) if lessons else 0.0

    @strawberry.field(
        description="Where to continue: the lesson most recently worked on and not completed, else the first "
        "lesson not completed in teaching order; null when every lesson is completed."
    )
    async def continue_lesson(self, info: Info) -> Lesson | None:
        lessons, rows = await self._outline(info)
        in_course = set(lessons)
        started = [r for r in rows if r["completed_at"] is None and r["lesson_content_id"] in in_course]
        if started:
            lesson_id = max(started, key=lambda r: r["updated_at"])["lesson_content_id"]
        else:
            completed = {r["lesson_content_id"] for r in rows if r["completed_at"] is not None}
            lesson_id = next((lesson for lesson in lessons if lesson not in completed), None)
        if lesson_id is None:
            return None
        doc = await info.context.loaders.lesson_by_id.load(lesson_id)
        return Lesson.from_doc(doc) if doc is not None else None

    @strawberry.field(description="The student; visible to them, the course's instructor and admins.")
    async def user(self, info: Info) -> User | None:
        row = await info.context.loaders.user_by_id.load(self.row["user_id"])
        return User.from_row(row) if row is not None else None


@strawberry.type
class User(Node):
    row: strawberry.Private[RowMapping]
    role: Role
    display_name: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: RowMapping) -> User:
        return cls(
            row=row,
            id=to_global_id("User", row["id"]),
            role=Role(row["role"]),
            display_name=row["display_name"] or "",
            created_at=row["created_at"],
        )

    @strawberry.field(
        description="The uploaded avatar (a link valid for minutes), else the profile's avatar URL; null if neither."
    )
    async def avatar_url(self, info: Info) -> str | None:
        uploaded = await info.context.loaders.avatars_by_user.load(str(self.row["id"]))
        if uploaded and await info.context.storage_reachable():
            return await uploads.download_url(info.context.stores, uploaded[-1])
        avatar = self.row.get("avatar_url")
        return str(avatar) if avatar else None

    @strawberry.field(description="Visible to the user themself and to admins; null otherwise.")
    def email(self) -> str | None:
        return str(self.row["email"])

    @strawberry.field(description="Whether an admin disabled the account; visible to admins only.")
    def disabled(self) -> bool | None:
        return self.row["disabled_at"] is not None

    @strawberry.field
    def profile(self) -> Profile:
        return Profile(
            display_name=self.row["display_name"] or "",
            bio=self.row["bio"],
            avatar_url=self.row["avatar_url"],
            timezone=self.row["timezone"] or "UTC",
        )

    @strawberry.field(description="Newest first. Only the user themself and admins may list them.")
    async def enrollments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Enrollment]:
        listing = enrollment_rows.enrollments_of_user(self.row["id"], course_scope(info.context.viewer))
        result = await paged(info.context, listing, first, after, Enrollment.from_row)
        await with_courses(info, [edge.node for edge in result.edges], CONNECTION_ITEMS)
        return result

    @strawberry.field(description="Totals for the user themself and admins.")
    async def stats(self, info: Info) -> UserStats:
        return UserStats.from_row(await info.context.loaders.stats_by_user_id.load(self.row["id"]))

    @strawberry.field(description="Achievements earned, oldest first (the user themself and admins).")
    async def achievements(self, info: Info) -> list[EarnedAchievement]:
        rows = await info.context.loaders.achievements_by_user_id.load(self.row["id"])
        return [
            EarnedAchievement(
                code=r["code"], title=r["title"], description=r["description"], xp=r["xp"], awarded_at=r["awarded_at"]
            )
            for r in rows
        ]

    @strawberry.field(description="Newest first. Only the user themself and admins may list them.")
    async def quiz_attempts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[QuizAttempt]:
        listing = attempt_rows.attempts_of_user(self.row["id"], course_scope(info.context.viewer))
        return await paged(info.context, listing, first, after, QuizAttempt.from_row)

    @strawberry.field(description="Payments, newest first (the user themself and admins).")
    async def payments(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Payment]:
        return await paged(info.context, payment_rows.payments_of_user(self.row["id"]), first, after, Payment.from_row)

    @strawberry.field(description="The current subscription, else the latest one; null: never subscribed.")
    async def subscription(self, info: Info) -> PlanSubscription | None:
        row = await payment_rows.current_subscription(info.context.stores.engine, self.row["id"])
        return PlanSubscription.from_row(row) if row is not None else None


async def with_courses(info: Info, enrollments: Sequence[Enrollment], prefixes: tuple[tuple[str, ...], ...]) -> None:
    """Fetch the enrollments' courses (and their content, when read) in one batch each, when the
    query reads `course` below one of `prefixes`: a page of them then completes without a task each."""
    if not enrollments or not selects_any(info, prefixes, ("course",)):
        return
    rows = await info.context.loaders.course_by_id.load_many([e.row["course_id"] for e in enrollments])
    courses = [Course.from_row(row) if row is not None else None for row in rows]
    for enrollment, course in zip(enrollments, courses, strict=True):
        enrollment.fetched_course = course
    below = tuple((*prefix, "course") for prefix in prefixes)
    await with_content(info, [course for course in courses if course is not None], below)
