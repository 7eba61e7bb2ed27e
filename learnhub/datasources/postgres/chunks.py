"""Lesson chunks and their embeddings (pgvector), the embedding models, the spelling vocabulary.

Vectors travel as pgvector's text form ('[0.1,0.2,...]') cast in SQL, so no codec has to be
registered on every pooled connection. Each model's vectors have their own partial HNSW index
on `embedding::vector(d)` (cosine distance): queries name the same expression and predicate,
so the planner can use it whatever other models' vectors share the table.
"""

from __future__ import annotations

import asyncio
import contextvars
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.datasources.postgres.courses import CourseScope
from learnhub.datasources.postgres.engine import reads


@dataclass(frozen=True)
class ModelRow:
    id: int
    name: str
    dimension: int
    ready: bool


def vector_literal(vector: npt.NDArray[np.float32] | Sequence[float]) -> str:
    return "[" + ",".join(f"{float(x):.6g}" for x in vector) + "]"


async def ensure_model(conn: AsyncConnection, name: str, provider: str, dimension: int) -> ModelRow:
    """The model's row (made on first use) and its HNSW index."""
    await conn.execute(
        text(
            "INSERT INTO embedding_models (name, provider, dimension) VALUES (:n, :p, :d) ON CONFLICT (name) DO NOTHING"
        ),
        {"n": name, "p": provider, "d": dimension},
    )
    row = (
        (
            await conn.execute(
                text("SELECT id, name, dimension, ready_at FROM embedding_models WHERE name = :n"), {"n": name}
            )
        )
        .mappings()
        .one()
    )
    model_id, dim = int(row["id"]), int(row["dimension"])
    # Identifiers from integers only: nothing a user typed reaches this DDL.
    await conn.execute(
        text(
            f"CREATE INDEX IF NOT EXISTS ix_lesson_chunks_hnsw_{model_id} ON lesson_chunks "
            f"USING hnsw ((embedding::vector({dim})) vector_cosine_ops) WHERE model_id = {model_id}"
        )
    )
    return ModelRow(model_id, row["name"], dim, row["ready_at"] is not None)


async def model_by_name(engine: AsyncEngine, name: str) -> ModelRow | None:
    async with reads(engine).connect() as conn:
        row = (
            (
                await conn.execute(
                    text("SELECT id, name, dimension, ready_at FROM embedding_models WHERE name = :n"), {"n": name}
                )
            )
            .mappings()
            .one_or_none()
        )
    return (
        None
        if row is None
        else ModelRow(int(row["id"]), row["name"], int(row["dimension"]), row["ready_at"] is not None)
    )


async def mark_ready(conn: AsyncConnection, model_id: int) -> int:
    """Record that every lesson has this model's vectors; drop other models' vectors and rows.
    Returns how many other models were removed."""
    await conn.execute(
        text("UPDATE embedding_models SET ready_at = now() WHERE id = :m AND ready_at IS NULL"), {"m": model_id}
    )
    others = (
        (await conn.execute(text("SELECT id FROM embedding_models WHERE id <> :m"), {"m": model_id})).scalars().all()
    )
    for other in others:
        await conn.execute(text(f"DROP INDEX IF EXISTS ix_lesson_chunks_hnsw_{int(other)}"))
    await conn.execute(text("DELETE FROM embedding_models WHERE id <> :m"), {"m": model_id})
    return len(others)


async def stored_versions(conn: AsyncConnection, model_id: int, course_ids: Sequence[str] | None) -> dict[str, int]:
    """lesson id -> content version of its chunks (of this model)."""
    sql = "SELECT lesson_id, max(content_version) AS v FROM lesson_chunks WHERE model_id = :m"
    params: dict[str, Any] = {"m": model_id}
    if course_ids is not None:
        sql += " AND course_id = ANY(CAST(:c AS text[]))"
        params["c"] = list(course_ids)
    rows = (await conn.execute(text(sql + " GROUP BY lesson_id"), params)).mappings().all()
    return {r["lesson_id"]: int(r["v"]) for r in rows}


async def replace_lesson(
    conn: AsyncConnection,
    model_id: int,
    lesson_id: str,
    *,
    course_id: str,
    version: int,
    chunks: Sequence[Mapping[str, Any]],
    vectors: npt.NDArray[np.float32],
) -> bool:
    """Put a lesson's chunks of `version`, unless chunks of a newer version are stored.

    A transaction-level advisory lock on the lesson serialises two workers, so the check and
    the write see the same state: an older version never replaces a newer one. Returns
    whether anything was written."""
    await conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"chunks:{lesson_id}"})
    newer = await conn.execute(
        text("SELECT 1 FROM lesson_chunks WHERE model_id = :m AND lesson_id = :l AND content_version > :v LIMIT 1"),
        {"m": model_id, "l": lesson_id, "v": version},
    )
    if newer.first() is not None:
        return False
    await conn.execute(
        text("DELETE FROM lesson_chunks WHERE model_id = :m AND lesson_id = :l"), {"m": model_id, "l": lesson_id}
    )
    if chunks:
        await conn.execute(
            text(
                "INSERT INTO lesson_chunks (model_id, lesson_id, position, course_id, heading_path, text, "
                "token_count, content_version, embedding) VALUES (:m, :l, :p, :c, :h, :t, :n, :v, CAST(:e AS vector))"
            ),
            [
                {
                    "m": model_id, "l": lesson_id, "p": chunk["position"], "c": course_id,
                    "h": list(chunk["heading_path"]), "t": chunk["text"], "n": chunk["token_count"],
                    "v": version, "e": vector_literal(vector),
                }
                for chunk, vector in zip(chunks, vectors, strict=True)
            ],
        )  # fmt: skip
    return True


async def delete_lessons_except(conn: AsyncConnection, course_id: str, keep: Iterable[str]) -> int:
    """Drop the chunks (every model's) of this course's lessons that are no longer in it."""
    result = await conn.execute(
        text("DELETE FROM lesson_chunks WHERE course_id = :c AND NOT (lesson_id = ANY(CAST(:k AS text[])))"),
        {"c": course_id, "k": list(keep)},
    )
    return int(result.rowcount)


async def add_terms(conn: AsyncConnection, terms: Iterable[str]) -> None:
    values = sorted(set(terms))
    if values:
        await conn.execute(
            text("INSERT INTO search_terms (term) SELECT unnest(CAST(:t AS text[])) ON CONFLICT DO NOTHING"),
            {"t": values},
        )


async def closest_terms(engine: AsyncEngine, words: Sequence[str]) -> dict[str, str | None]:
    """For each word not in the vocabulary, the closest word that is, or None when none is
    close; words of the vocabulary are left out.

    Close: at most a third of the word's letters changed (Levenshtein, at least 1, at most 3),
    same first letter, length within 3. Typesense already forgives 1 typo from 4 letters and 2
    from 7, so the words that reach this are the badly mangled ones ("pagnaitoin"); trigram
    similarity missed those (0.15 for pagnaitoin/pagination), edit distance does not. The
    candidates are narrowed by first letter and length before distances are computed, and this
    runs only for queries whose keywords found nothing."""
    sql = text(
        "SELECT w.word, best.term FROM unnest(CAST(:w AS text[])) AS w(word) "
        "LEFT JOIN LATERAL (SELECT term FROM search_terms "
        "  WHERE left(term, 1) = left(w.word, 1) AND abs(length(term) - length(w.word)) <= 3 "
        "    AND levenshtein(term, w.word) <= least(3, greatest(1, length(w.word) / 3)) "
        "  ORDER BY levenshtein(term, w.word), similarity(term, w.word) DESC, term LIMIT 1) best ON true "
        "WHERE NOT EXISTS (SELECT 1 FROM search_terms s WHERE s.term = w.word)"
    )
    async with reads(engine).connect() as conn:
        rows = (await conn.execute(sql, {"w": list(words)})).all()
    return {str(word): (str(term) if term is not None else None) for word, term in rows}


def _scope_sql(scope: CourseScope, params: dict[str, Any]) -> str:
    def owner(owner_id: uuid.UUID) -> str:
        params["owner"] = owner_id
        return ":owner"

    seen = scope.condition("k", owner)
    return "" if seen is None else f" AND {seen}"


@dataclass(frozen=True)
class Near:
    """What to be near: a query's vector, or the mean of a lesson's chunk vectors."""

    vector: npt.NDArray[np.float32] | None = None
    lesson_id: str | None = None


# name -> (row, when read): the model's id is written into the vector query as an integer, the
# form that matches its partial HNSW index (`WHERE model_id = <id>`); a subquery never did.
# Re-read every minute, so a replaced model (EMBEDDING_* changed) is picked up.
_MODELS: dict[str, tuple[ModelRow, float]] = {}
MODEL_CACHE_SECONDS = 60.0


async def active_model(engine: AsyncEngine, name: str) -> ModelRow | None:
    """The model's row, from the process's cache. A stale entry is answered at once and
    re-read in the background (outside the request, so its round trips stay constant)."""
    cached = _MODELS.get(name)
    if cached is None:
        return await _read_model(engine, name)
    if time.monotonic() - cached[1] >= MODEL_CACHE_SECONDS and name not in _REFRESHING:
        _REFRESHING.add(name)
        task = asyncio.get_running_loop().create_task(_read_model(engine, name), context=contextvars.Context())
        task.add_done_callback(lambda _: _REFRESHING.discard(name))
    return cached[0]


_REFRESHING: set[str] = set()


async def _read_model(engine: AsyncEngine, name: str) -> ModelRow | None:
    row = await model_by_name(engine, name)
    if row is None:
        _MODELS.pop(name, None)
    else:
        _MODELS[name] = (row, time.monotonic())
    return row


async def nearest_lessons(
    engine: AsyncEngine,
    model: ModelRow,
    near: Near,
    scope: CourseScope,
    *,
    limit: int,
    min_similarity: float,
    course_ids: Sequence[str] | None = None,
    tags: Sequence[str] = (),
    level: str | None = None,
) -> Sequence[RowMapping]:
    """The lessons whose best chunk is closest, best first: lesson_id, course_id, text and
    heading_path of that chunk, similarity, and the course's tags and level. One statement (a
    lesson's mean vector is computed inside it); run it on the `vectors` engine.

    The filters (visibility, course, tags, level) join the course row inside the vector scan;
    `hnsw.iterative_scan` (set per connection in engine.py) keeps the index scanning until
    enough rows pass them."""
    dim, model_id = int(model.dimension), int(model.id)
    params: dict[str, Any] = {"n": limit * 4, "lim": limit, "min": min_similarity}
    if near.vector is not None:
        params["q"] = vector_literal(near.vector)
        target = f"CAST(:q AS vector({dim}))"
    else:
        params["like"] = near.lesson_id
        target = "(SELECT v FROM target)"
    where = _scope_sql(scope, params)
    if near.lesson_id is not None:
        where += " AND c.lesson_id <> :like"
    if course_ids is not None:
        where += " AND c.course_id = ANY(CAST(:cids AS text[]))"
        params["cids"] = list(course_ids)
    if tags:
        where += " AND k.tags && CAST(:tags AS varchar[])"
        params["tags"] = list(tags)
    if level is not None:
        where += " AND k.level = :level"
        params["level"] = level
    # Only integers and fixed fragments are formatted in; every value is a bound parameter.
    sql = text(
        f"""
        WITH target AS (
            SELECT l2_normalize(avg(embedding::vector({dim}))) AS v FROM lesson_chunks
            WHERE model_id = {model_id} AND lesson_id = :like
        ), near AS (
            SELECT c.lesson_id, c.course_id, c.text, c.heading_path, k.tags, k.level,
                   c.embedding::vector({dim}) <=> {target} AS distance
            FROM lesson_chunks c JOIN courses k ON k.content_id = c.course_id
            WHERE c.model_id = {model_id}{where}
            ORDER BY c.embedding::vector({dim}) <=> {target}
            LIMIT :n
        ), best AS (
            SELECT DISTINCT ON (lesson_id) * FROM near ORDER BY lesson_id, distance
        )
        SELECT lesson_id, course_id, text, heading_path, tags, level, 1 - distance AS similarity
        FROM best WHERE 1 - distance >= :min ORDER BY distance, lesson_id LIMIT :lim
        """  # noqa: S608
    )
    if near.vector is not None:
        params["like"] = None
    async with reads(engine).connect() as conn:
        return (await conn.execute(sql, params)).mappings().all()


async def counts(engine: AsyncEngine) -> Sequence[RowMapping]:
    """Per model: lessons with chunks, chunks, and the lesson versions embedded."""
    sql = text(
        "SELECT m.id, m.name, m.dimension, m.ready_at, count(DISTINCT c.lesson_id) AS lessons, count(c.*) AS chunks "
        "FROM embedding_models m LEFT JOIN lesson_chunks c ON c.model_id = m.id GROUP BY m.id ORDER BY m.id"
    )
    async with reads(engine).connect() as conn:
        return (await conn.execute(sql)).mappings().all()
