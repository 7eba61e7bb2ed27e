"""The floor: the benchmark's read shapes answered by hand, with the fewest store round trips.

Same server (uvicorn, one worker), same stores, same drivers (asyncpg, PyMongo's async client)
and same JSON encoder (orjson) as the gateway, but no GraphQL, no DataLoaders, no auth and no
ORM: each route runs the minimum queries for the data its GraphQL shape returns and answers in
the shape of the gateway's `data` (enums as stored, lower case). The distance between the two is
what the gateway's machinery costs; bench/equivalence.py checks the data is the same.

Run it as `uvicorn bench.floor:app` with the gateway's environment (DATABASE_URL, MONGODB_URL, ...).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
import orjson
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from learnhub.core.settings import Settings
from learnhub.datasources.mongo.documents import CourseContent, LessonContent, Question, QuizContent

Doc = dict[str, Any]

DASHBOARD_ENROLLMENTS = 20
CATALOG_COURSES = 50
QUESTION_PAGE = 500

# Round trips per request, by construction (the floor has no counters of its own).
ROUND_TRIPS: dict[str, dict[str, int]] = {
    "dashboard": {"postgres": 2, "mongodb": 2},
    "catalog": {"postgres": 1, "mongodb": 1},
    "question_list": {"postgres": 1, "mongodb": 2},
    "hot": {"postgres": 1, "mongodb": 1},
}

# The viewer's name and newest enrollments in published courses (a student sees no others), in
# one statement. LEFT JOINs keep
# the user's row when there are no enrollments, so "unknown user" and "no courses" differ.
_DASHBOARD_SQL = f"""
SELECT p.display_name, recent.status, recent.content_id
  FROM users u
  LEFT JOIN user_profiles p ON p.user_id = u.id
  LEFT JOIN LATERAL (
        SELECT e.id, e.status, c.content_id
          FROM enrollments e
          JOIN courses c ON c.id = e.course_id
         WHERE e.user_id = u.id AND c.published
         ORDER BY e.id DESC
         LIMIT {DASHBOARD_ENROLLMENTS}
       ) AS recent ON true
 WHERE u.id = $1
 ORDER BY recent.id DESC
"""
_PROGRESS_SQL = """
SELECT lesson_content_id, position, completed_at IS NOT NULL AS completed
  FROM lesson_progress
 WHERE user_id = $1 AND lesson_content_id = ANY($2::text[])
"""
# Oldest first, published only: what the catalogue shows a visitor.
_CATALOG_SQL = f"SELECT content_id, tags FROM courses WHERE published ORDER BY id LIMIT {CATALOG_COURSES}"
# A visitor sees questions of published quizzes of published courses only.
_PUBLISHED_SQL = "SELECT content_id FROM courses WHERE published"
_HOT_SQL = "SELECT content_id, level, tags, price_cents FROM courses WHERE content_id = $1 AND published"

_OUTLINE = {"title": 1, "modules.title": 1, "modules.lesson_ids": 1}
_COUNTS = {"title": 1, "modules.lesson_ids": 1}
# The GraphQL shape asks for options only on the two choice types; the floor drops the rest in code.
_QUESTION_FIELDS = {"type": 1, "prompt": 1, "points": 1, "options": 1}
_WITH_OPTIONS = frozenset({"single_choice", "multiple_choice"})
_COURSES = CourseContent.Settings.name
_LESSONS = LessonContent.Settings.name
_QUESTIONS = Question.Settings.name
_QUIZZES = QuizContent.Settings.name


def _json(data: object, status: int = 200) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json")


async def _by_ids(
    db: AsyncDatabase[Doc], name: str, ids: Sequence[str], projection: Mapping[str, int]
) -> dict[str, Doc]:
    # limit = batch size = number of ids: one reply, no getMore (as the gateway's loaders do).
    size = max(len(ids), 1)
    cursor = db[name].find({"_id": {"$in": list(ids)}}, projection, limit=size, batch_size=size)
    return {doc["_id"]: doc async for doc in cursor}


def _lesson_count(doc: Doc | None) -> int | None:
    if doc is None:
        return None
    return sum(len(m.get("lesson_ids", [])) for m in doc.get("modules", []))


class Floor:
    """The store clients, opened by the app's lifespan, and the four routes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: asyncpg.Pool | None = None
        self._client: AsyncMongoClient[Doc] | None = None

    async def open(self) -> None:
        dsn = self.settings.database_url.replace("+asyncpg", "", 1)
        # The gateway's SQLAlchemy pool holds pool_size connections plus as many overflow ones.
        self._pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2 * self.settings.database_pool_size)
        self._client = AsyncMongoClient(self.settings.mongodb_url, tz_aware=True, uuidRepresentation="standard")
        await self._client.admin.command("ping")

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._pool is not None:
            await self._pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        assert self._pool is not None
        return self._pool

    @property
    def db(self) -> AsyncDatabase[Doc]:
        assert self._client is not None
        return self._client[self.settings.mongodb_database]

    async def dashboard(self, request: Request) -> Response:
        try:
            user_id = uuid.UUID(request.query_params.get("user_id", ""))
        except ValueError:
            return _json({"error": "user_id must be a UUID"}, 400)
        rows = await self.pool.fetch(_DASHBOARD_SQL, user_id)
        if not rows:
            return _json({"error": "no such user"}, 404)
        enrolled = [row for row in rows if row["content_id"] is not None]
        contents = await _by_ids(self.db, _COURSES, [r["content_id"] for r in enrolled], _OUTLINE)
        lesson_ids = [
            lesson for doc in contents.values() for module in doc.get("modules", []) for lesson in module["lesson_ids"]
        ]
        # Both need only the lesson ids: run them side by side.
        lessons, progress_rows = await asyncio.gather(
            _by_ids(self.db, _LESSONS, lesson_ids, {"title": 1}),
            self.pool.fetch(_PROGRESS_SQL, user_id, lesson_ids),
        )
        progress = {
            r["lesson_content_id"]: {"position": r["position"], "completed": r["completed"]} for r in progress_rows
        }

        def lesson(lesson_id: str) -> Doc | None:
            doc = lessons.get(lesson_id)
            if doc is None:
                return None
            return {"contentId": lesson_id, "title": doc.get("title", ""), "progress": progress.get(lesson_id)}

        def content(content_id: str) -> Doc | None:
            doc = contents.get(content_id)
            if doc is None:
                return None
            modules = [
                {"title": m["title"], "lessons": [lesson(i) for i in m.get("lesson_ids", [])]}
                for m in doc.get("modules", [])
            ]
            return {"title": doc.get("title", ""), "modules": modules}

        nodes = [
            {"status": r["status"], "course": {"contentId": r["content_id"], "content": content(r["content_id"])}}
            for r in enrolled
        ]
        me = {"displayName": rows[0]["display_name"] or "", "enrollments": {"nodes": nodes}}
        return _json({"me": me})

    async def catalog(self, request: Request) -> Response:
        rows = await self.pool.fetch(_CATALOG_SQL)
        contents = await _by_ids(self.db, _COURSES, [r["content_id"] for r in rows], _COUNTS)
        nodes = []
        for row in rows:
            doc = contents.get(row["content_id"])
            nodes.append(
                {
                    "contentId": row["content_id"],
                    "title": doc.get("title", "") if doc is not None else None,
                    "tags": list(row["tags"]),
                    "lessonCount": _lesson_count(doc),
                }
            )
        return _json({"courses": {"nodes": nodes}})

    async def question_list(self, request: Request) -> Response:
        published = [row["content_id"] for row in await self.pool.fetch(_PUBLISHED_SQL)]
        open_quizzes = {"course_id": {"$in": published}, "published": {"$ne": False}}
        listed = {qid async for quiz in self.db[_QUIZZES].find(open_quizzes, {"question_ids": 1})
                  for qid in quiz.get("question_ids", ())}  # fmt: skip
        cursor = self.db[_QUESTIONS].find(
            {"_id": {"$in": sorted(listed)}},
            _QUESTION_FIELDS,
            sort=[("_id", 1)],
            limit=QUESTION_PAGE,
            batch_size=QUESTION_PAGE,
        )
        nodes = []
        async for doc in cursor:
            node: Doc = {
                "contentId": doc["_id"],
                "type": doc["type"],
                "prompt": doc.get("prompt", ""),
                "points": float(doc.get("points", 1)),
            }
            if doc["type"] in _WITH_OPTIONS:
                node["options"] = [{"id": o["id"], "text": o["text"]} for o in doc.get("options", [])]
            nodes.append(node)
        return _json({"questions": {"nodes": nodes}})

    async def hot(self, request: Request) -> Response:
        content_id = request.query_params.get("content_id", "")
        # The content id is known up front, so the row and the document are read side by side.
        row, doc = await asyncio.gather(
            self.pool.fetchrow(_HOT_SQL, content_id),
            self.db[_COURSES].find_one({"_id": content_id}, _COUNTS),
        )
        if row is None:
            return _json({"course": None})
        course = {
            "contentId": row["content_id"],
            "title": doc.get("title", "") if doc is not None else None,
            "level": row["level"],
            "tags": list(row["tags"]),
            "priceCents": row["price_cents"],
            "lessonCount": _lesson_count(doc),
        }
        return _json({"course": course})


async def _healthz(request: Request) -> Response:
    return _json({"status": "ok"})


def create_app(settings: Settings) -> Starlette:
    floor = Floor(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            await floor.open()
            yield
        finally:
            await floor.close()

    routes = [
        Route("/floor/dashboard", floor.dashboard, methods=["GET"]),
        Route("/floor/catalog", floor.catalog, methods=["GET"]),
        Route("/floor/question_list", floor.question_list, methods=["GET"]),
        Route("/floor/hot", floor.hot, methods=["GET"]),
        Route("/healthz", _healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


app = create_app(Settings())
