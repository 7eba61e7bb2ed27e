"""The floor: the benchmark's read shapes answered by hand, with the fewest store round trips.

Same server (uvicorn, one worker), same stores, same drivers (asyncpg, PyMongo's async client)
and same JSON encoder (orjson) as the gateway, but no GraphQL, no DataLoaders, no auth and no
ORM: each route runs the minimum queries for the data its GraphQL shape returns and answers in
the shape of the gateway's `data` (enums as stored, lower case). The distance between the two is
what the gateway's machinery costs; bench/equivalence.py checks the data is the same.

The search route does what the `search` shape returns with the least work for the same hits:
one Typesense multi-search over the three aliases (the gateway's parameters, minus the facets
the shape does not read) beside the query's embedding and one pgvector statement that the
model's HNSW index answers, each side ranking the gateway's window of candidates; reciprocal
rank fusion as the gateway fuses; then the records in one statement per store, side by side:
the course rows that must still be published (PostgreSQL) and the documents of every kind in
one `$unionWith` aggregation (MongoDB).

Run it as `uvicorn bench.floor:app` with the gateway's environment (DATABASE_URL, MONGODB_URL, ...).
"""

from __future__ import annotations

import asyncio
import html
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type information
import httpx
import orjson
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from learnhub.core.settings import Settings
from learnhub.datasources.embeddings import Embedder, make_embedder
from learnhub.datasources.mongo.documents import CourseContent, LessonContent, Question, QuizContent
from learnhub.search.collections import KINDS, QUERY_BY, SNIPPET_FIELDS, TITLE_FIELD, Kind
from learnhub.search.query import WINDOW, keyword_text

Doc = dict[str, Any]

DASHBOARD_ENROLLMENTS = 20
CATALOG_COURSES = 50
QUESTION_PAGE = 500
# The `search` shape's page, and the records read for it: `first` plus the spare hits the
# gateway loads in case some were hidden since they were indexed (resolvers/search.py SPARE).
SEARCH_FIRST = 10
SEARCH_RECORDS = SEARCH_FIRST + 5
# Each side ranks the same window of candidates whatever the page (learnhub/search/query.py);
# pgvector is asked for 4 chunks per lesson wanted, and each lesson keeps its best.
SEARCH_WINDOW = WINDOW
CHUNKS_PER_LESSON = 4

# Round trips per request, by construction (the floor has no counters of its own).
ROUND_TRIPS: dict[str, dict[str, int]] = {
    "dashboard": {"postgres": 2, "mongodb": 2},
    "catalog": {"postgres": 1, "mongodb": 1},
    "question_list": {"postgres": 1, "mongodb": 2},
    "hot": {"postgres": 1, "mongodb": 1},
    "search": {"postgres": 2, "mongodb": 1, "typesense": 1},
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

# The query's nearest published lessons: each lesson's best chunk among the nearest chunks,
# what learnhub/datasources/postgres/chunks.py `nearest_lessons` returns to a signed-out reader.
# The model's id is written into the text, as an integer, so the planner can match the model's
# partial HNSW index (`WHERE model_id = <id>`); the gateway finds the id by name inside its
# statement, which no index predicate can match, so it compares the query with every chunk.
# Limits are constants and the vector the only parameter, of type vector (a text codec is set
# on each connection): a text parameter cast to vector is no constant in a generic plan, which
# then scans every chunk (78 ms instead of 3 at scale 1).
_NEAREST_SQL = """
WITH near AS (
    SELECT c.lesson_id, c.course_id, c.text,
           c.embedding::vector({dim}) <=> $1::vector({dim}) AS distance
      FROM lesson_chunks c JOIN courses k ON k.content_id = c.course_id
     WHERE c.model_id = {model_id} AND k.published
     ORDER BY c.embedding::vector({dim}) <=> $1::vector({dim})
     LIMIT {chunks}
), best AS (
    SELECT DISTINCT ON (lesson_id) * FROM near ORDER BY lesson_id, distance
)
SELECT lesson_id, course_id, text, 1 - distance AS similarity
  FROM best WHERE 1 - distance >= {min_similarity!r} ORDER BY distance, lesson_id LIMIT {lessons}
"""
_MODEL_SQL = "SELECT id FROM embedding_models WHERE name = $1"
# Which of the hits' courses a visitor may still see (the index may be older than the rows).
_PUBLISHED_AMONG_SQL = "SELECT content_id FROM courses WHERE content_id = ANY($1::text[]) AND published"

_OUTLINE = {"title": 1, "modules.title": 1, "modules.lesson_ids": 1}
_COUNTS = {"title": 1, "modules.lesson_ids": 1}
# The GraphQL shape asks for options only on the two choice types; the floor drops the rest in code.
_QUESTION_FIELDS = {"type": 1, "prompt": 1, "points": 1, "options": 1}
_WITH_OPTIONS = frozenset({"single_choice", "multiple_choice"})
_COURSES = CourseContent.Settings.name
_LESSONS = LessonContent.Settings.name
_QUESTIONS = Question.Settings.name
_QUIZZES = QuizContent.Settings.name
_SEARCH_KINDS: tuple[Kind, ...] = KINDS  # course, lesson, question: the gateway's order
# What each hit's record needs: a lesson's title, summary (its snippet for non-readers),
# preview flag and course; a course's title; a question's type; a quiz's course and questions,
# which decide whether a question is visible.
_RECORD_FIELDS: dict[str, tuple[str, dict[str, int]]] = {
    "lesson": (_LESSONS, {"title": 1, "summary": 1, "preview": 1, "course_id": 1}),
    "course": (_COURSES, {"title": 1}),
    "question": (_QUESTIONS, {"type": 1, "prompt": 1}),
}
# Private-use characters mark Typesense's highlights, so escaping the text leaves them alone.
_MARK_START, _MARK_END = "\ue000", "\ue001"


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


def _marked(snippet: str) -> str:
    return html.escape(snippet, quote=False).replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")


def _plain(text: str) -> str:
    return html.escape(" ".join(text.split()), quote=False)


def _excerpt(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    return html.escape(flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …", quote=False)


def _vector_text(vector: Sequence[float]) -> str:
    # pgvector's text form, each value to 6 significant digits as the gateway sends it.
    return "[" + ",".join(f"{x:.6g}" for x in vector) + "]"


async def _vector_as_text(conn: asyncpg.Connection) -> None:
    """pgvector's `vector` travels in its text form ('[0.1,0.2]'), like any string."""
    await conn.set_type_codec("vector", schema="public", encoder=str, decoder=str, format="text")


def _typename(question_type: str) -> str:
    return "".join(part.capitalize() for part in question_type.split("_")) + "Question"


class _Hit:
    """One search candidate; `snippets` maps a field to its escaped, highlighted text."""

    __slots__ = ("best_rank", "content_id", "course_ids", "kind", "score", "snippets", "title")

    def __init__(
        self, kind: Kind, content_id: str, course_ids: list[str], title: str, snippets: dict[str, str]
    ) -> None:
        self.kind = kind
        self.content_id = content_id
        self.course_ids = course_ids
        self.title = title
        self.snippets = snippets
        self.score = 0.0
        self.best_rank = SEARCH_WINDOW + 1  # its best rank on either side


class Floor:
    """The store clients, opened by the app's lifespan, and the five routes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: asyncpg.Pool | None = None
        self._client: AsyncMongoClient[Doc] | None = None
        self._typesense: httpx.AsyncClient | None = None
        self._embedder: Embedder | None = None
        self._nearest_sql: str | None = None  # made on the first search, once the model's vectors exist

    async def open(self) -> None:
        dsn = self.settings.database_url.replace("+asyncpg", "", 1)
        # The gateway's SQLAlchemy pool holds pool_size connections plus as many overflow ones;
        # its filtered vector searches keep scanning the HNSW index (learnhub engine.py), so do these.
        self._pool = await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=2 * self.settings.database_pool_size,
            server_settings={"hnsw.iterative_scan": "relaxed_order"},
            init=_vector_as_text,
        )
        self._client = AsyncMongoClient(self.settings.mongodb_url, tz_aware=True, uuidRepresentation="standard")
        await self._client.admin.command("ping")
        self._typesense = httpx.AsyncClient(
            base_url=self.settings.typesense_url,
            headers={"X-TYPESENSE-API-KEY": self.settings.typesense_api_key.get_secret_value()},
            timeout=httpx.Timeout(2.0),
        )
        self._embedder = make_embedder(self.settings)

    async def close(self) -> None:
        if self._typesense is not None:
            await self._typesense.aclose()
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

    # search --------------------------------------------------------------------------------

    def _keyword_searches(self, text: str) -> list[Doc]:
        prefix = self.settings.search_collection_prefix
        searches = []
        for kind in _SEARCH_KINDS:
            fields = QUERY_BY[kind]
            include = ["key", TITLE_FIELD[kind]]
            include += ["preview", "course_id"] if kind == "lesson" else ["course_ids"] if kind == "question" else []
            searches.append(
                {
                    "collection": f"{prefix}_{kind}",
                    "q": text,
                    "query_by": ",".join(name for name, _ in fields),
                    "query_by_weights": ",".join(str(weight) for _, weight in fields),
                    "filter_by": "visible_to:=[`public`]",
                    "per_page": min(SEARCH_WINDOW, 250),
                    "page": 1,
                    "include_fields": ",".join(include),
                    "highlight_fields": ",".join(SNIPPET_FIELDS[kind]),
                    "highlight_start_tag": _MARK_START,
                    "highlight_end_tag": _MARK_END,
                    "highlight_affix_num_tokens": 12,
                    "snippet_threshold": 40,
                }
            )
        return searches

    async def _keyword(self, text: str) -> tuple[list[_Hit], int]:
        """Typesense's hits over the three kinds, best text match first, and how many it found."""
        assert self._typesense is not None
        body = orjson.dumps({"searches": self._keyword_searches(keyword_text(text))})
        response = await self._typesense.post("/multi_search", content=body)
        response.raise_for_status()
        results = orjson.loads(response.content)["results"]
        ranked: list[tuple[int, int, _Hit]] = []
        total = 0
        for kind_index, (kind, result) in enumerate(zip(_SEARCH_KINDS, results, strict=True)):
            if "error" in result:
                raise RuntimeError(f"Typesense refused the {kind} search: {result['error']}")
            total += int(result.get("found", 0))
            for item in result.get("hits", []):
                doc = item["document"]
                snippets = {h["field"]: _marked(h["snippet"]) for h in item.get("highlights", []) if h.get("snippet")}
                course_ids = doc.get("course_ids", []) if kind == "question" else [doc.get("course_id", doc["key"])]
                hit = _Hit(kind, doc["key"], course_ids, str(doc.get(TITLE_FIELD[kind], "")), snippets)
                ranked.append((-int(item.get("text_match", 0)), kind_index, hit))
        ranked.sort(key=lambda entry: (entry[0], entry[1]))
        return [hit for _, _, hit in ranked], total

    async def _nearest(self, embedder: Embedder) -> str:
        if self._nearest_sql is None:
            model_id = await self.pool.fetchval(_MODEL_SQL, embedder.name)
            if model_id is None:
                raise RuntimeError(f"no vectors of {embedder.name}: index the data first")
            self._nearest_sql = _NEAREST_SQL.format(
                dim=int(embedder.dimension),
                model_id=int(model_id),
                chunks=SEARCH_WINDOW * CHUNKS_PER_LESSON,
                min_similarity=float(self.settings.search_semantic_min_similarity),
                lessons=SEARCH_WINDOW,
            )
        return self._nearest_sql

    async def _semantic(self, text: str) -> list[_Hit]:
        """The nearest published lessons by their best chunk, nearest first."""
        assert self._embedder is not None
        embedder = self._embedder
        vector = embedder.embed([text])[0].tolist()
        rows = await self.pool.fetch(await self._nearest(embedder), _vector_text(vector))
        return [_Hit("lesson", r["lesson_id"], [r["course_id"]], "", {"body": _excerpt(r["text"])}) for r in rows]

    def _fuse(self, keyword: list[_Hit], semantic: list[_Hit]) -> list[_Hit]:
        """Reciprocal rank fusion of the two rankings (the gateway's k, weights and depth); ties
        go to the better rank on either side."""
        settings = self.settings
        k, depth = settings.search_rrf_k, settings.search_rrf_depth
        scores: dict[str, float] = defaultdict(float)
        by_key: dict[str, _Hit] = {}
        for hits, weight in ((keyword, settings.search_keyword_weight), (semantic, settings.search_semantic_weight)):
            for rank, hit in enumerate(hits, start=1):
                scores[hit.content_id] += weight / (k + rank) if rank <= depth else 0.0
                known = by_key.setdefault(hit.content_id, hit)
                known.best_rank = min(known.best_rank, rank)
                if known is not hit:  # found by both: keep the keyword hit, with the chunk as a snippet
                    known.snippets.setdefault("chunk", hit.snippets["body"])
        fused = sorted(by_key.values(), key=lambda h: (-scores[h.content_id], h.best_rank, h.content_id))
        for hit in fused:
            hit.score = scores[hit.content_id]
        return fused

    async def _records(self, hits: Sequence[_Hit]) -> tuple[set[str], dict[str, Doc], dict[str, list[Doc]]]:
        """Side by side: the hits' courses still published, and every hit's document with the
        published quizzes listing each question, in one aggregation."""
        ids: dict[str, list[str]] = {kind: [] for kind in _SEARCH_KINDS}
        for hit in hits:
            ids[hit.kind].append(hit.content_id)
        course_ids = sorted({course_id for hit in hits for course_id in hit.course_ids})
        first_kind, *other_kinds = _SEARCH_KINDS
        first_name, first_fields = _RECORD_FIELDS[first_kind]
        pipeline: list[Doc] = [{"$match": {"_id": {"$in": ids[first_kind]}}}, {"$project": first_fields}]
        for kind in other_kinds:
            name, fields = _RECORD_FIELDS[kind]
            union = [{"$match": {"_id": {"$in": ids[kind]}}}, {"$project": fields}]
            pipeline.append({"$unionWith": {"coll": name, "pipeline": union}})
        if ids["question"]:
            quizzes = {"question_ids": {"$in": ids["question"]}, "published": {"$ne": False}}
            union = [{"$match": quizzes}, {"$project": {"course_id": 1, "question_ids": 1}}]
            pipeline.append({"$unionWith": {"coll": _QUIZZES, "pipeline": union}})

        async def documents() -> list[Doc]:
            cursor = await self.db[first_name].aggregate(pipeline, batchSize=len(hits) * 4 + 16)
            return [doc async for doc in cursor]

        published_rows, docs = await asyncio.gather(self.pool.fetch(_PUBLISHED_AMONG_SQL, course_ids), documents())
        published = {row["content_id"] for row in published_rows}
        by_id: dict[str, Doc] = {}
        quizzes_of: dict[str, list[Doc]] = defaultdict(list)
        for doc in docs:
            if doc["_id"].startswith("quiz:"):
                for question_id in doc.get("question_ids", ()):
                    quizzes_of[question_id].append(doc)
            else:
                by_id[doc["_id"]] = doc
        return published, by_id, quizzes_of

    async def search(self, request: Request) -> Response:
        text = " ".join(request.query_params.get("q", "").split())
        if not text:
            return _json({"error": "q is required"}, 400)
        (keyword, keyword_total), semantic = await asyncio.gather(self._keyword(text), self._semantic(text))
        fused = self._fuse(keyword, semantic)[:SEARCH_RECORDS]
        keyword_keys = {hit.content_id for hit in keyword}
        total = keyword_total + sum(1 for hit in semantic if hit.content_id not in keyword_keys)
        published, docs, quizzes_of = await self._records(fused)
        edges = []
        for hit in fused:
            node = self._node(hit, docs.get(hit.content_id), published, quizzes_of)
            if node is not None:
                edges.append({"node": node})
                if len(edges) == SEARCH_FIRST:
                    break
        return _json({"search": {"totalCount": total, "edges": edges}})

    @staticmethod
    def _node(hit: _Hit, doc: Doc | None, published: set[str], quizzes_of: Mapping[str, list[Doc]]) -> Doc | None:
        """The hit as the shape shows it to a visitor, or None when its record is gone or hidden."""
        if doc is None:
            return None
        snippets = hit.snippets
        order: tuple[str, ...]
        if hit.kind == "lesson":
            if doc.get("course_id") not in published:
                return None
            title = hit.title or doc.get("title", "")
            # A visitor reads the body of preview lessons only; the others show their summary.
            order = ("body", "chunk", "summary", "title") if doc.get("preview", False) else ("summary", "title")
            fallback = doc.get("summary", "") or doc.get("title", "")
            record = {"__typename": "Lesson", "title": doc.get("title", "")}
        elif hit.kind == "course":
            if hit.content_id not in published:
                return None
            title = hit.title or doc.get("title", "")
            order, fallback = ("summary", "description", "title"), hit.title
            record = {"__typename": "Course", "courseTitle": doc.get("title", "")}
        else:
            if not any(quiz.get("course_id") in published for quiz in quizzes_of.get(hit.content_id, ())):
                return None
            title = hit.title or doc.get("prompt", "")
            order, fallback = ("prompt",), doc.get("prompt", "")
            record = {"__typename": _typename(doc["type"])}
        snippet = next((snippets[name] for name in order if snippets.get(name)), None)
        return {
            "kind": hit.kind,
            "contentId": hit.content_id,
            "title": title,
            "snippet": snippet if snippet is not None else _plain(fallback),
            "score": hit.score,
            "record": record,
        }

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
        Route("/floor/search", floor.search, methods=["GET"]),
        Route("/healthz", _healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


app = create_app(Settings())
