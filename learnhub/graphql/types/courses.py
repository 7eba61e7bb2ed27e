"""Courses: the PostgreSQL catalogue row joined to its MongoDB content."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry
from sqlalchemy.engine import RowMapping

from learnhub.core.errors import StoreUnavailable
from learnhub.datasources.postgres import attempts as attempt_rows
from learnhub.datasources.postgres import enrollments as enrollment_rows
from learnhub.graphql.context import Info
from learnhub.graphql.relay.connections import Connection, paged
from learnhub.graphql.relay.node import Node, to_global_id
from learnhub.graphql.relay.prefetch import NOT_FETCHED, NotFetched, later
from learnhub.graphql.relay.selection import selects_any
from learnhub.graphql.types.content import CourseContent, Doc, lesson_count_of, missing
from learnhub.graphql.types.enums import CourseLevel
from learnhub.graphql.types.payments import Money

T = TypeVar("T")

if TYPE_CHECKING:
    from learnhub.graphql.types.analytics import CourseAnalytics
    from learnhub.graphql.types.quizzes import QuizAttempt
    from learnhub.graphql.types.sharing import ShareLink
    from learnhub.graphql.types.users import Enrollment, User


@strawberry.input(description="Catalogue filters; all given conditions must hold.")
class CourseFilter:
    tag: str | None = None
    level: CourseLevel | None = None
    published: bool | None = strawberry.field(
        default=None, description="Students and visitors always see published courses only."
    )


@strawberry.type
class Course(Node):
    row: strawberry.Private[RowMapping]
    content_id: str = strawberry.field(description="Stable content id, e.g. `course:rest-api-design`.")
    level: CourseLevel
    tags: list[str]
    published: bool
    published_at: datetime | None
    price_cents: int
    created_at: datetime

    @strawberry.field(description="The one-off price in the course's currency; amount 0: free.")
    def price(self) -> Money:
        # From the row already loaded: no round trip.
        return Money(amount=self.row["price_cents"], currency=self.row["currency"])

    # The content document when whoever built the course fetched it with its siblings' (see
    # with_content); None: fetched, and missing. NOT_FETCHED: the fields below load it.
    # StoreUnavailable: MongoDB was down, so each field below fails alone with that error.
    content_doc: strawberry.Private[Doc | NotFetched | StoreUnavailable | None] = NOT_FETCHED

    @classmethod
    def from_row(cls, row: RowMapping) -> Course:
        return cls(
            row=row,
            id=to_global_id("Course", row["id"]),
            content_id=row["content_id"],
            level=CourseLevel(row["level"]),
            tags=list(row["tags"]),
            published=row["published"],
            published_at=row["published_at"],
            price_cents=row["price_cents"],
            created_at=row["created_at"],
        )

    def _doc(self) -> Doc:
        if isinstance(self.content_doc, StoreUnavailable):
            raise self.content_doc
        if not isinstance(self.content_doc, dict):
            raise missing("Course", self.content_id)
        return self.content_doc

    async def _load(self, info: Info, read: Callable[[Doc], T]) -> T:
        self.content_doc = await info.context.loaders.course_content_by_id.load(self.content_id)
        return read(self._doc())

    def _read(self, info: Info, read: Callable[[Doc], T]) -> T:
        """`read(content document)`, from the page's batch (with_content) or loaded: see prefetch.py."""
        if isinstance(self.content_doc, NotFetched):
            return later(self._load(info, read))
        return read(self._doc())

    @strawberry.field(description="Title, description, modules and lessons (null with an error if missing).")
    def content(self, info: Info) -> CourseContent | None:
        return self._read(info, CourseContent.from_doc)

    @strawberry.field(description="Shortcut for `content.title`.")
    def title(self, info: Info) -> str | None:
        return self._read(info, lambda doc: str(doc.get("title", "")))

    @strawberry.field(description="Shortcut for `content.lessonCount`.")
    def lesson_count(self, info: Info) -> int | None:
        return self._read(info, lesson_count_of)

    @strawberry.field(description="The instructor who owns the course.")
    async def instructor(self, info: Info) -> Annotated[User, strawberry.lazy("learnhub.graphql.types.users")] | None:
        from learnhub.graphql.types.users import User

        instructor_id = self.row["instructor_id"]
        row = await info.context.loaders.user_by_id.load(instructor_id) if instructor_id is not None else None
        return User.from_row(row) if row is not None else None

    @strawberry.field(description="The course's students, newest first: its instructor and admins only.")
    async def enrollments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[Enrollment, strawberry.lazy("learnhub.graphql.types.users")]]:
        from learnhub.graphql.types.users import Enrollment

        listing = enrollment_rows.enrollments_of_course(self.row["id"])
        return await paged(info.context, listing, first, after, Enrollment.from_row)

    @strawberry.field(description="Every student's quiz attempts in the course: its instructor and admins only.")
    async def quiz_attempts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[QuizAttempt, strawberry.lazy("learnhub.graphql.types.quizzes")]]:
        from learnhub.graphql.types.quizzes import QuizAttempt

        listing = attempt_rows.attempts_of_course(self.row["id"])
        return await paged(info.context, listing, first, after, QuizAttempt.from_row)

    @strawberry.field(
        description="Share links to the course, its lessons and quizzes, newest first, revoked and expired ones "
        "included (see `state`): its instructor and admins only."
    )
    async def share_links(
        self, info: Info
    ) -> list[Annotated[ShareLink, strawberry.lazy("learnhub.graphql.types.sharing")]] | None:
        from learnhub.graphql.types.sharing import ShareLink

        # One query for every course of the page (ShareLinksByCourseLoader).
        rows = await info.context.loaders.share_links_by_course.load(self.content_id)
        return [ShareLink.from_row(row) for row in rows]

    @strawberry.field(
        description="Daily activity, the lesson drop-off funnel and the hardest questions over `from`..`to` "
        "(UTC days, at most 366), from the daily rollups: its instructor and admins only."
    )
    async def analytics(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
    ) -> Annotated[CourseAnalytics, strawberry.lazy("learnhub.graphql.types.analytics")] | None:
        from learnhub.graphql.types.analytics import course_analytics

        return await course_analytics(info, self.row, from_, to)


CONTENT_FIELDS = ("content", "title", "lessonCount")


async def with_content(info: Info, courses: Sequence[Course], prefixes: tuple[tuple[str, ...], ...]) -> None:
    """Fetch every course's content in one batch, when the query reads it below one of `prefixes`."""
    # The page's rows decide its content's visibility: remembered, they cost no second read.
    info.context.loaders.saw_courses([c.row for c in courses])
    if courses and selects_any(info, prefixes, CONTENT_FIELDS):
        loaders = info.context.loaders
        # Only `title` and `lessonCount` below: their two fields, not the whole outline
        # (catalogue page of 50: 4.7 -> 4.1 ms CPU in process). These documents serve only these courses.
        loader = (
            loaders.course_content_by_id if selects_any(info, prefixes, ("content",)) else loaders.course_summary_by_id
        )
        try:
            docs: Sequence[Doc | StoreUnavailable | None] = await loader.load_many([c.content_id for c in courses])
        except StoreUnavailable as exc:
            # The catalogue's PostgreSQL fields still answer; each content field is null with this error.
            docs = [exc] * len(courses)
        for course, doc in zip(courses, docs, strict=True):
            course.content_doc = doc
