"""The root Query and Mutation types and the schema object."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from learnhub.context import Info
from learnhub.resolvers import auth, content, courses, nodes, users
from learnhub.schema.auth import AuthPayload, LoginInput, RegisterInput
from learnhub.schema.content import Lesson
from learnhub.schema.courses import Course, CourseFilter
from learnhub.schema.errors import GatewaySchema
from learnhub.schema.node import Node
from learnhub.schema.pagination import Connection
from learnhub.schema.quizzes import (
    MultipleChoiceQuestion,
    NumericQuestion,
    Quiz,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from learnhub.schema.users import User


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await nodes.node(info, id)

    @strawberry.field(description="The signed-in user; null when signed out.")
    async def me(self, info: Info) -> User | None:
        return await users.me(info)

    @strawberry.field(description="The catalogue, oldest first. `first` is at most 100.")
    async def courses(
        self, info: Info, first: int | None = None, after: str | None = None, filter: CourseFilter | None = None
    ) -> Connection[Course]:
        return await courses.list_courses(info, first, after, filter)

    @strawberry.field(description="One course by global `id` or by `contentId` (exactly one).")
    async def course(self, info: Info, id: strawberry.ID | None = None, content_id: str | None = None) -> Course | None:
        return await courses.course(info, id, content_id)

    @strawberry.field(description="A lesson by global id or content id (`lesson:rest-intro`).")
    async def lesson(self, info: Info, id: strawberry.ID) -> Lesson | None:
        return await content.lesson(info, id)

    @strawberry.field(description="A quiz with its questions (never their answers), by global or content id.")
    async def quiz(self, info: Info, id: strawberry.ID) -> Quiz | None:
        return await content.quiz(info, id)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a student account and sign in.")
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        return await auth.register(info, input)

    @strawberry.mutation(description="Sign in with email and password.")
    async def login(self, info: Info, input: LoginInput) -> AuthPayload:
        return await auth.login(info, input)


# Interface implementations that no field names directly must still be in the schema.
IMPLEMENTATIONS = [SingleChoiceQuestion, MultipleChoiceQuestion, TrueFalseQuestion, ShortTextQuestion, NumericQuestion]

# Generous bounds for now; the hardening work replaces them with cost analysis.
MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    # Factories: Strawberry makes a fresh extension per request.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=IMPLEMENTATIONS,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )
