"""Keeping Typesense and the lesson chunks in step with the source stores.

`index_courses` re-reads whole courses from PostgreSQL and MongoDB and writes what it finds:
the index documents (upserts, and deletes of what the course no longer holds), the chunks of
lessons whose version changed, and the words for `didYouMean`. It works from the stores' current
state, never from an event's payload, so applying an event twice changes nothing, and a lesson
edited twice ends at its newest version. A per-course advisory lock serialises two workers:
the one that reads later also writes later.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from learnhub.datasources.embeddings import Embedder
from learnhub.datasources.mongo import corpus
from learnhub.datasources.postgres import chunks as chunk_store
from learnhub.datasources.postgres import courses, outbox
from learnhub.datasources.stores import Stores
from learnhub.datasources.typesense import Typesense
from learnhub.search import documents
from learnhub.search.chunking import chunk_markdown
from learnhub.search.collections import KINDS, SYNONYMS, Kind, alias, one_of, schema, versioned
from learnhub.search.text import words

logger = logging.getLogger("learnhub.search")

Doc = dict[str, Any]
COURSE_CHANGED = outbox.COURSE_CHANGED


@dataclass
class Indexed:
    courses: int = 0
    lessons: int = 0
    questions: int = 0
    embedded: int = 0  # lessons (re-)chunked and embedded
    removed: int = 0  # documents deleted from the index
    chunks: int = 0


@dataclass(frozen=True)
class Targets:
    """The collection each kind is written to: the aliases, or a reindex's new collections."""

    names: dict[Kind, str] = field(default_factory=dict)

    @classmethod
    def aliases(cls, stores: Stores) -> Targets:
        return cls({kind: alias(stores.settings, kind) for kind in KINDS})


# Servers and prefixes whose aliases this process has seen, so a batch of search events does not
# ask Typesense for three aliases each time; forgotten when indexing fails (an alias removed
# by hand is then made again on the retry).
_ENSURED: set[tuple[str, str]] = set()


def forget_collections(stores: Stores) -> None:
    _ENSURED.discard((stores.settings.typesense_url, stores.settings.search_collection_prefix))


async def ensure_collections(stores: Stores) -> bool:
    """Create versioned collections behind the aliases where an alias is missing (first start);
    returns whether anything was created."""
    key = (stores.settings.typesense_url, stores.settings.search_collection_prefix)
    if key in _ENSURED:
        return False
    created = False
    for kind in KINDS:
        name = alias(stores.settings, kind)
        if await stores.search.alias_target(name) is None:
            target = versioned(stores.settings, kind)
            await create_collection(stores.search, target, kind)
            await stores.search.point_alias(name, target)
            created = True
    _ENSURED.add(key)
    return created


async def create_collection(search: Typesense, name: str, kind: Kind) -> None:
    """A new collection of `kind` with the seeded synonyms."""
    await search.create_collection(schema(name, kind))
    for synonym in SYNONYMS:
        body = {k: v for k, v in synonym.items() if k != "id"}
        await search.put_synonym(name, str(synonym["id"]), body)


async def load_documents(stores: Stores, course_ids: Sequence[str] | None) -> documents.CourseDocs:
    """The index documents of these courses (None: every course), read from the stores now."""
    rows = await courses.rows_for_index(stores.engine, course_ids)
    contents, lessons, quizzes = await asyncio.gather(
        corpus.course_contents(stores.mongo_db, course_ids),
        corpus.lessons_of(stores.mongo_db, course_ids),
        corpus.quizzes_of(stores.mongo_db, course_ids),
    )
    question_ids = sorted({q for quiz in quizzes for q in quiz.get("question_ids", [])})
    built = documents.build(rows, contents, lessons, quizzes_by_question={}, rows_by_content_id={}, questions=[])
    built.questions = await question_documents(stores, question_ids, rows)
    return built


async def question_documents(
    stores: Stores, question_ids: Sequence[str], known_rows: Sequence[RowMapping] = ()
) -> list[Doc]:
    """Index documents of these questions, from every quiz that lists each (of any course)."""
    if not question_ids:
        return []
    listing, questions = await asyncio.gather(
        corpus.quizzes_listing(stores.mongo_db, question_ids), corpus.questions(stores.mongo_db, question_ids)
    )
    by_question: dict[str, list[Doc]] = defaultdict(list)
    for quiz in listing:
        for q in quiz.get("question_ids", []):
            by_question[q].append(quiz)
    rows = {r["content_id"]: r for r in known_rows}
    missing = sorted({q["course_id"] for q in listing} - rows.keys())
    rows |= {r["content_id"]: r for r in await courses.rows_for_index(stores.engine, missing)} if missing else {}
    built = documents.build([], [], [], quizzes_by_question=by_question, rows_by_content_id=rows, questions=questions)
    return built.questions


async def index_courses(
    stores: Stores,
    conn: AsyncConnection,
    course_ids: Sequence[str] | None,
    targets: Targets | None = None,
    *,
    embed: bool = True,
) -> Indexed:
    """Bring the index and the chunks of these courses (None: every course) up to date.

    Runs inside `conn`'s transaction: the chunk writes commit with it; the advisory locks hold
    until then."""
    targets = targets or Targets.aliases(stores)
    if course_ids is not None:
        for course_id in sorted(set(course_ids)):
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"search:{course_id}"}
            )
    built = await load_documents(stores, course_ids)
    search = stores.search
    await asyncio.gather(
        search.upsert(targets.names["course"], built.courses),
        search.upsert(targets.names["lesson"], built.lessons),
        search.upsert(targets.names["question"], built.questions),
    )
    result = Indexed(len(built.courses), len(built.lessons), len(built.questions))
    if course_ids is not None:
        result.removed = await _remove_stale(stores, targets, course_ids, built)
    await chunk_store.add_terms(conn, _vocabulary(built))
    if embed:
        embedded, count = await embed_lessons(stores, conn, built.lesson_bodies, course_ids)
        result.embedded, result.chunks = embedded, count
    return result


def _vocabulary(built: documents.CourseDocs) -> set[str]:
    vocabulary: set[str] = set()
    for doc in [*built.courses, *built.lessons]:
        vocabulary |= words(" ".join([doc["title"], doc["summary"], *doc["tags"], doc.get("body", "")]))
    for doc in built.questions:
        vocabulary |= words(doc["prompt"] + " " + " ".join(doc["tags"]))
    return vocabulary


async def _remove_stale(
    stores: Stores, targets: Targets, course_ids: Sequence[str], built: documents.CourseDocs
) -> int:
    """Delete documents of these courses that the stores no longer hold (a lesson taken out of
    the outline, a question taken out of its quiz, a course that is gone)."""
    keep: dict[Kind, set[str]] = {
        "course": {d["id"] for d in built.courses},
        "lesson": {d["id"] for d in built.lessons},
        "question": {d["id"] for d in built.questions},
    }
    course_filter = one_of(course_ids)
    field_of: dict[Kind, str] = {"course": "course_id", "lesson": "course_id", "question": "course_ids"}
    removed = 0
    for kind in KINDS:
        name = targets.names[kind]
        present = await stores.search.export_where(name, f"{field_of[kind]}:={course_filter}", ["key"])
        stale = sorted({d["key"] for d in present} - keep[kind])
        if kind == "question" and stale:
            # Out of this course's quizzes, but maybe still in another course's quiz: rewrite those.
            still = await question_documents(stores, stale)
            await stores.search.upsert(name, still)
            stale = sorted(set(stale) - {d["id"] for d in still})
        if stale:
            await stores.search.delete_where(name, "key:=" + one_of(stale))
            removed += len(stale)
    return removed


async def embed_lessons(
    stores: Stores,
    conn: AsyncConnection,
    bodies: dict[str, tuple[str, str, str, int]],
    course_ids: Sequence[str] | None,
) -> tuple[int, int]:
    """Chunk and embed the lessons whose stored chunks are missing or of another version.

    Returns (lessons embedded, chunks written). The model runs in a thread: embedding a large
    course takes milliseconds, a full catalogue a few seconds, and the event loop stays free."""
    embedder = stores.embedder
    model = await chunk_store.ensure_model(conn, embedder.name, embedder.provider, embedder.dimension)
    stored = await chunk_store.stored_versions(conn, model.id, course_ids)
    todo = {lesson_id: body for lesson_id, body in bodies.items() if stored.get(lesson_id) != body[3]}
    if course_ids is not None:
        by_course: dict[str, list[str]] = defaultdict(list)
        for lesson_id, (course_id, *_rest) in bodies.items():
            by_course[course_id].append(lesson_id)
        for course_id in course_ids:
            await chunk_store.delete_lessons_except(conn, course_id, by_course.get(course_id, []))
    if not todo:
        return 0, 0
    settings = stores.settings
    sizes = (settings.search_chunk_tokens, settings.search_chunk_overlap_tokens)
    planned = await asyncio.to_thread(_chunk_and_embed, embedder, todo, sizes)
    written = 0
    for lesson_id, (course_id, version, pieces, vectors) in planned.items():
        if await chunk_store.replace_lesson(
            conn, model.id, lesson_id, course_id=course_id, version=version, chunks=pieces, vectors=vectors
        ):
            written += len(pieces)
    return len(planned), written


def _chunk_and_embed(
    embedder: Embedder, todo: dict[str, tuple[str, str, str, int]], sizes: tuple[int, int]
) -> dict[str, Any]:
    planned: dict[str, Any] = {}
    texts: list[str] = []
    spans: list[tuple[str, int, int]] = []
    pieces_of: dict[str, list[dict[str, Any]]] = {}
    for lesson_id, (_course_id, title, markdown, _version) in todo.items():
        # A lesson whose text is only headings (or nothing) is still findable by its title.
        pieces = chunk_markdown(
            markdown, embedder.count_tokens, max_tokens=sizes[0], overlap_tokens=sizes[1]
        ) or chunk_markdown(title or lesson_id, embedder.count_tokens)
        pieces_of[lesson_id] = [
            {"position": p.position, "heading_path": p.heading_path, "text": p.text, "token_count": p.token_count}
            for p in pieces
        ]
        start = len(texts)
        texts.extend(p.embedded_text(title) for p in pieces)
        spans.append((lesson_id, start, len(texts)))
    vectors = embedder.embed(texts)
    for lesson_id, start, end in spans:
        course_id, _title, _markdown, version = todo[lesson_id]
        planned[lesson_id] = (course_id, version, pieces_of[lesson_id], vectors[start:end])
    return planned


async def finish_model(stores: Stores, conn: AsyncConnection) -> bool:
    """Mark the configured model ready once every lesson in a course has its vectors, and drop
    the vectors of any model used before. Returns whether the model is ready."""
    embedder = stores.embedder
    model = await chunk_store.ensure_model(conn, embedder.name, embedder.provider, embedder.dimension)
    if model.ready:
        return True
    built = await load_documents(stores, None)
    stored = await chunk_store.stored_versions(conn, model.id, None)
    if any(stored.get(lesson_id) != body[3] for lesson_id, body in built.lesson_bodies.items()):
        return False
    dropped = await chunk_store.mark_ready(conn, model.id)
    logger.info("embedding model %s ready; dropped %d older model(s)", embedder.name, dropped)
    return True


async def embed_catalogue(stores: Stores) -> Indexed:
    """Chunk and embed every lesson the configured model has not embedded at its current
    version, then mark the model ready: what a change of EMBEDDING_* settings needs."""
    async with stores.engine.begin() as conn:
        built = await load_documents(stores, None)
        embedded, count = await embed_lessons(stores, conn, built.lesson_bodies, None)
        await finish_model(stores, conn)
    await analyze(stores)
    return Indexed(embedded=embedded, chunks=count)


async def analyze(stores: Stores) -> None:
    """Fresh statistics after a bulk load: until autovacuum gets to it, the planner takes the
    new chunks for a few hundred rows and skips the HNSW index (measured at scale 10: 30 ms a
    query before, 4 ms after)."""
    async with stores.engine.begin() as conn:
        await conn.execute(text("ANALYZE lesson_chunks"))
