"""The plain Strawberry peer: the four read shapes as a Python team's first GraphQL server would serve them.

Strawberry's own ASGI app under Starlette (for the lifespan that opens the pools), one
`strawberry.dataloader.DataLoader` per batched read and request, an asyncpg pool, PyMongo's async
client and PyJWT; straightforward resolvers with Strawberry's default execution. It serves the
schema of bench/peers/schema.graphql and answers with the gateway's data.

Run it as `uvicorn bench.peers.strawberry_plain:app` with the gateway's environment.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator, Callable, Hashable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
import jwt
import strawberry
from graphql import GraphQLError
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.dataloader import DataLoader

from learnhub.core.settings import Settings

Doc = dict[str, Any]
K = TypeVar("K", bound=Hashable)

# The gateway's page limits (DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE; the question bank allows 500).
DEFAULT_PAGE = 20
MAX_PAGE = 100
MAX_QUESTION_PAGE = 500
# What any resolver reads of a course outline: its title, and each module's title and lessons.
_OUTLINE = {"title": 1, "modules.title": 1, "modules.lesson_ids": 1}
_QUESTION_FIELDS = {"type": 1, "prompt": 1, "points": 1, "options": 1}
_COURSE_COLUMNS = "c.content_id, c.level, c.tags, c.price_cents"


class GatewayError(GraphQLError):
    """An error with the gateway's `extensions`: its code, and what else the gateway adds."""

    def __init__(self, message: str, code: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


# Stores --------------------------------------------------------------------------------------


@dataclass
class Stores:
    pool: asyncpg.Pool
    db: AsyncDatabase[Doc]


async def documents_by_ids(db: AsyncDatabase[Doc], collection: str, ids: Sequence[str], fields: Doc) -> dict[str, Doc]:
    # The batch size is the number of ids: one reply, no getMore after a first batch of 101.
    size = max(len(ids), 1)
    cursor = db[collection].find({"_id": {"$in": list(ids)}}, fields, batch_size=size)
    return {doc["_id"]: doc async for doc in cursor}


def in_order(keys: Sequence[K], found: Mapping[K, Any]) -> list[Any]:
    return [found.get(key) for key in keys]


# Auth ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    user_id: uuid.UUID | None = None
    token_error: str | None = None


def viewer_of(settings: Settings, authorization: str | None) -> Viewer:
    """The gateway's token checks (learnhub/auth/tokens.py): HS256, key by `kid`, issuer, `typ`."""
    if not authorization:
        return Viewer()
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return Viewer(token_error="Authorization header must be `Bearer <token>`")
    try:
        kid = jwt.get_unverified_header(token.strip()).get("kid")
        secret = settings.jwt_keys.get(kid) if isinstance(kid, str) else None
        if secret is None:
            raise jwt.InvalidKeyError("unknown key id")
        claims = jwt.decode(
            token.strip(),
            secret.get_secret_value(),
            algorithms=["HS256"],
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        if claims.get("typ") != "access":
            raise jwt.InvalidTokenError("not an access token")
        return Viewer(user_id=uuid.UUID(claims["sub"]))
    except (jwt.PyJWTError, ValueError):
        return Viewer(token_error="The access token is invalid or has expired")


# Context and loaders -------------------------------------------------------------------------


class Context:
    """Per request: the viewer and one DataLoader per batched read."""

    def __init__(self, stores: Stores, viewer: Viewer) -> None:
        self.stores = stores
        self.viewer = viewer
        self.users = DataLoader(self._users)
        self.course_contents = self._documents("course_content", _OUTLINE)
        self.lessons = self._documents("lesson_content", {"title": 1})
        self.progress = DataLoader(self._progress)

    def _documents(self, collection: str, fields: Doc) -> DataLoader[str, Doc | None]:
        async def load(ids: list[str]) -> list[Doc | None]:
            return in_order(ids, await documents_by_ids(self.stores.db, collection, ids, fields))

        return DataLoader(load)

    async def _users(self, ids: list[uuid.UUID]) -> list[asyncpg.Record | None]:
        rows = await self.stores.pool.fetch(
            "SELECT u.id, coalesce(p.display_name, '') AS display_name"
            " FROM users u LEFT JOIN user_profiles p ON p.user_id = u.id WHERE u.id = ANY($1::uuid[])",
            ids,
        )
        return in_order(ids, {row["id"]: row for row in rows})

    async def _progress(self, lesson_ids: list[str]) -> list[asyncpg.Record | None]:
        rows = await self.stores.pool.fetch(
            "SELECT lesson_content_id, position, completed_at IS NOT NULL AS completed FROM lesson_progress"
            " WHERE user_id = $1 AND lesson_content_id = ANY($2::text[])",
            self.viewer.user_id,
            lesson_ids,
        )
        return in_order(lesson_ids, {row["lesson_content_id"]: row for row in rows})


Info = strawberry.Info[Context, None]


def page_size(first: int | None, limit: int) -> int:
    size = DEFAULT_PAGE if first is None else first
    if size < 0 or size > limit:
        raise GatewayError(f"`first` must be between 0 and {limit}", "BAD_USER_INPUT", argument="first", max=limit)
    return size


# Types ---------------------------------------------------------------------------------------


@strawberry.enum
class EnrollmentStatus(enum.Enum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    SUSPENDED = "suspended"


@strawberry.enum
class CourseLevel(enum.Enum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


@strawberry.enum
class QuestionType(enum.Enum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_TEXT = "short_text"
    NUMERIC = "numeric"
    ORDERING = "ordering"


@strawberry.type
class LessonProgress:
    position: float
    completed: bool


@strawberry.type
class Lesson:
    content_id: str
    title: str

    @strawberry.field(description="The viewer's progress; null when signed out or not started.")
    async def progress(self, info: Info) -> LessonProgress | None:
        if info.context.viewer.user_id is None:
            return None
        row = await info.context.progress.load(self.content_id)
        return LessonProgress(position=row["position"], completed=row["completed"]) if row is not None else None


@strawberry.type
class Module:
    title: str
    lesson_ids: strawberry.Private[list[str]]

    @strawberry.field(description="In teaching order; a lesson whose content is missing is null.")
    async def lessons(self, info: Info) -> list[Lesson | None]:
        docs = await info.context.lessons.load_many(self.lesson_ids)
        return [Lesson(content_id=doc["_id"], title=doc.get("title", "")) if doc else None for doc in docs]


def _lesson_count(doc: Doc) -> int:
    return sum(len(module.get("lesson_ids", [])) for module in doc.get("modules", []))


@strawberry.type
class CourseContent:
    doc: strawberry.Private[Doc]

    @strawberry.field
    def title(self) -> str:
        return str(self.doc.get("title", ""))

    @strawberry.field
    def modules(self) -> list[Module]:
        return [Module(title=m["title"], lesson_ids=m.get("lesson_ids", [])) for m in self.doc.get("modules", [])]

    @strawberry.field
    def lesson_count(self) -> int:
        return _lesson_count(self.doc)


@strawberry.type
class Course:
    content_id: str
    level: CourseLevel
    tags: list[str]
    price_cents: int

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Course:
        return cls(
            content_id=row["content_id"],
            level=CourseLevel(row["level"]),
            tags=list(row["tags"]),
            price_cents=row["price_cents"],
        )

    @strawberry.field(description="Title and modules of lessons (null with an error if missing).")
    async def content(self, info: Info) -> CourseContent | None:
        doc = await info.context.course_contents.load(self.content_id)
        if doc is None:
            raise GatewayError(f"Course content {self.content_id} not found", "NOT_FOUND")
        return CourseContent(doc=doc)

    @strawberry.field(description="Shortcut for `content.title`.")
    async def title(self, info: Info) -> str | None:
        doc = await info.context.course_contents.load(self.content_id)
        return doc.get("title", "") if doc is not None else None

    @strawberry.field(description="Shortcut for `content.lessonCount`.")
    async def lesson_count(self, info: Info) -> int | None:
        doc = await info.context.course_contents.load(self.content_id)
        return _lesson_count(doc) if doc is not None else None


@strawberry.type
class Enrollment:
    status: EnrollmentStatus
    course: Course | None


@strawberry.type
class EnrollmentConnection:
    nodes: list[Enrollment]


@strawberry.type
class CourseConnection:
    nodes: list[Course]


@strawberry.type
class User:
    id: strawberry.Private[uuid.UUID]
    display_name: str

    @strawberry.field(description="Newest first. Only the user themself may list them.")
    async def enrollments(self, info: Info, first: int | None = None) -> EnrollmentConnection:
        if self.id != info.context.viewer.user_id:
            raise GatewayError("Only the user themself may list their enrollments", "FORBIDDEN")
        rows = await info.context.stores.pool.fetch(
            f"SELECT e.status, {_COURSE_COLUMNS} FROM enrollments e JOIN courses c ON c.id = e.course_id"
            " WHERE e.user_id = $1 AND c.published ORDER BY e.id DESC LIMIT $2",
            self.id,
            page_size(first, MAX_PAGE),
        )
        nodes = [Enrollment(status=EnrollmentStatus(row["status"]), course=Course.from_row(row)) for row in rows]
        return EnrollmentConnection(nodes=nodes)


@strawberry.type
class ChoiceOption:
    id: str
    text: str


@strawberry.interface
class Question:
    content_id: str
    type: QuestionType
    prompt: str
    points: float


@strawberry.type
class SingleChoiceQuestion(Question):
    options: list[ChoiceOption]


@strawberry.type
class MultipleChoiceQuestion(Question):
    options: list[ChoiceOption]


@strawberry.type
class TrueFalseQuestion(Question):
    pass


@strawberry.type
class ShortTextQuestion(Question):
    pass


@strawberry.type
class NumericQuestion(Question):
    pass


@strawberry.type
class OrderingQuestion(Question):
    options: list[ChoiceOption]


_QUESTION_TYPES: dict[QuestionType, type[Question]] = {
    QuestionType.SINGLE_CHOICE: SingleChoiceQuestion,
    QuestionType.MULTIPLE_CHOICE: MultipleChoiceQuestion,
    QuestionType.TRUE_FALSE: TrueFalseQuestion,
    QuestionType.SHORT_TEXT: ShortTextQuestion,
    QuestionType.NUMERIC: NumericQuestion,
    QuestionType.ORDERING: OrderingQuestion,
}
_WITH_OPTIONS = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.ORDERING})


def question_from_doc(doc: Doc) -> Question:
    kind = QuestionType(doc["type"])
    make: Callable[..., Question] = _QUESTION_TYPES[kind]
    common: dict[str, Any] = {
        "content_id": doc["_id"],
        "type": kind,
        "prompt": doc.get("prompt", ""),
        "points": float(doc.get("points", 1)),
    }
    if kind in _WITH_OPTIONS:
        return make(**common, options=[ChoiceOption(id=o["id"], text=o["text"]) for o in doc.get("options", [])])
    return make(**common)


@strawberry.type
class QuestionConnection:
    nodes: list[Question]


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user; null when signed out.")
    async def me(self, info: Info) -> User | None:
        viewer = info.context.viewer
        if viewer.user_id is None:
            if viewer.token_error:
                raise GatewayError(viewer.token_error, "UNAUTHENTICATED")
            return None
        row = await info.context.users.load(viewer.user_id)
        return User(id=row["id"], display_name=row["display_name"]) if row is not None else None

    @strawberry.field(description="The catalogue, oldest first. `first` is at most 100.")
    async def courses(self, info: Info, first: int | None = None) -> CourseConnection:
        rows = await info.context.stores.pool.fetch(
            f"SELECT {_COURSE_COLUMNS} FROM courses c WHERE c.published ORDER BY c.id LIMIT $1",
            page_size(first, MAX_PAGE),
        )
        return CourseConnection(nodes=[Course.from_row(row) for row in rows])

    @strawberry.field(description="One published course by its content id.")
    async def course(self, info: Info, content_id: str | None = None) -> Course | None:
        if content_id is None:
            raise GatewayError("Give `contentId`", "BAD_USER_INPUT", argument="contentId")
        row = await info.context.stores.pool.fetchrow(
            f"SELECT {_COURSE_COLUMNS} FROM courses c WHERE c.content_id = $1 AND c.published", content_id
        )
        if row is None:
            raise GatewayError(f"Course {content_id} not found", "NOT_FOUND")
        return Course.from_row(row)

    @strawberry.field(description="The question bank in id order, without answers; `first` up to 500.")
    async def questions(self, info: Info, first: int | None = None) -> QuestionConnection:
        limit = page_size(first, MAX_QUESTION_PAGE)
        stores = info.context.stores
        rows = await stores.pool.fetch("SELECT content_id FROM courses WHERE published")
        published = [row["content_id"] for row in rows]
        quizzes = stores.db["quiz_content"].find(
            {"course_id": {"$in": published}, "published": {"$ne": False}}, {"question_ids": 1}
        )
        listed = {question_id async for quiz in quizzes for question_id in quiz.get("question_ids", ())}
        cursor = stores.db["questions"].find(
            {"_id": {"$in": list(listed)}},
            _QUESTION_FIELDS,
            sort=[("_id", 1)],
            limit=limit,
            batch_size=max(limit, 1),
        )
        return QuestionConnection(nodes=[question_from_doc(doc) async for doc in cursor])


# Every Question type, though no field returns them by name, so fragments on them validate.
schema = strawberry.Schema(query=Query, types=list(_QUESTION_TYPES.values()))


# App -----------------------------------------------------------------------------------------


class PeerGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with the request's viewer and loaders as its context."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(schema)
        self.settings = settings
        self.stores: Stores | None = None

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        assert self.stores is not None, "the lifespan opens the stores before the first request"
        return Context(self.stores, viewer_of(self.settings, request.headers.get("authorization")))


def create_app(settings: Settings) -> Starlette:
    graphql = PeerGraphQL(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The gateway's SQLAlchemy pool holds pool_size connections plus as many overflow ones.
        pool = await asyncpg.create_pool(
            settings.database_url.replace("+asyncpg", "", 1), min_size=1, max_size=2 * settings.database_pool_size
        )
        client: AsyncMongoClient[Doc] = AsyncMongoClient(settings.mongodb_url)
        try:
            await client.admin.command("ping")
            graphql.stores = Stores(pool, client[settings.mongodb_database])
            yield
        finally:
            await client.close()
            await pool.close()

    return Starlette(routes=[Route("/graphql", graphql)], lifespan=lifespan)


app = create_app(Settings())
