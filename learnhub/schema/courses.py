"""Courses: the PostgreSQL catalogue row joined to its MongoDB content."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.engine import RowMapping

from learnhub.context import Info
from learnhub.schema.content import CourseContent, lesson_count_of, missing
from learnhub.schema.enums import CourseLevel
from learnhub.schema.node import Node, to_global_id
from learnhub.schema.pagination import Connection

if TYPE_CHECKING:
    from learnhub.schema.quizzes import QuizAttempt
    from learnhub.schema.users import Enrollment, User


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

    async def _content(self, info: Info) -> CourseContent:
        doc = await info.context.loaders.course_content_by_id.load(self.content_id)
        if doc is None:
            raise missing("Course", self.content_id)
        return CourseContent.from_doc(doc)

    @strawberry.field(description="Title, description, modules and lessons (null with an error if missing).")
    async def content(self, info: Info) -> CourseContent | None:
        return await self._content(info)

    @strawberry.field(description="Shortcut for `content.title`.")
    async def title(self, info: Info) -> str | None:
        return (await self._content(info)).title

    @strawberry.field(description="Shortcut for `content.lessonCount`.")
    async def lesson_count(self, info: Info) -> int | None:
        return lesson_count_of((await self._content(info)).doc)

    @strawberry.field(description="The instructor who owns the course.")
    async def instructor(self, info: Info) -> Annotated[User, strawberry.lazy("learnhub.schema.users")] | None:
        from learnhub.schema.users import User

        instructor_id = self.row["instructor_id"]
        row = await info.context.loaders.user_by_id.load(instructor_id) if instructor_id is not None else None
        return User.from_row(row) if row is not None else None

    @strawberry.field(description="The course's students, newest first: its instructor and admins only.")
    async def enrollments(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[Enrollment, strawberry.lazy("learnhub.schema.users")]]:
        from learnhub.resolvers.courses import enrollments_of_course

        return await enrollments_of_course(info, self.row["id"], first, after)

    @strawberry.field(description="Every student's quiz attempts in the course: its instructor and admins only.")
    async def quiz_attempts(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[QuizAttempt, strawberry.lazy("learnhub.schema.quizzes")]]:
        from learnhub.resolvers.courses import attempts_of_course

        return await attempts_of_course(info, self.row["id"], first, after)
