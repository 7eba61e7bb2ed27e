"""The indexer against the real stores: idempotent, newest version wins, stale documents go."""

from __future__ import annotations

import numpy as np
from sqlalchemy import text

from learnhub.datasources.postgres import chunks as chunk_store
from learnhub.datasources.stores import Stores
from learnhub.search.collections import alias
from learnhub.search.indexer import index_courses
from tests.support.data import StoreAccess, make_course


async def _exported(stores: Stores, course_id: str) -> list[dict[str, object]]:
    docs = await stores.search.export_where(
        alias(stores.settings, "lesson"), f"course_id:=`{course_id}`", ["key", "title", "content_version", "visible_to"]
    )
    return sorted(docs, key=lambda d: str(d["key"]))


async def _chunks(stores: Stores, lesson_id: str) -> list[tuple[int, int, str]]:
    async with stores.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT position, content_version, text FROM lesson_chunks WHERE lesson_id = :l ORDER BY position"),
            {"l": lesson_id},
        )
        return [(int(p), int(v), str(t)) for p, v, t in rows]


async def test_applying_a_course_twice_changes_nothing(stores: StoreAccess, live_stores: Stores) -> None:
    _, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=2)
    async with live_stores.engine.begin() as conn:
        first = await index_courses(live_stores, conn, [content_id])
    docs, chunks = await _exported(live_stores, content_id), await _chunks(live_stores, lessons[0])
    async with live_stores.engine.begin() as conn:
        again = await index_courses(live_stores, conn, [content_id])
    assert (first.lessons, first.embedded) == (2, 2)
    assert (again.lessons, again.embedded, again.removed) == (2, 0, 0)  # nothing re-embedded
    assert await _exported(live_stores, content_id) == docs
    assert await _chunks(live_stores, lessons[0]) == chunks


async def test_an_older_version_never_replaces_a_newer_one(stores: StoreAccess, live_stores: Stores) -> None:
    _, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=1)
    await stores.db["lesson_content"].update_one({"_id": lessons[0]}, {"$set": {"version": 5}})
    async with live_stores.engine.begin() as conn:
        await index_courses(live_stores, conn, [content_id])
    embedder = live_stores.embedder
    async with live_stores.engine.begin() as conn:
        model = await chunk_store.ensure_model(conn, embedder.name, embedder.provider, embedder.dimension)
        old = [{"position": 0, "heading_path": [], "text": "an older text", "token_count": 3}]
        vectors = np.ones((1, embedder.dimension), dtype=np.float32) / np.sqrt(embedder.dimension)
        wrote = await chunk_store.replace_lesson(
            conn, model.id, lessons[0], course_id=content_id, version=4, chunks=old, vectors=vectors
        )
    assert wrote is False
    assert {v for _, v, _ in await _chunks(live_stores, lessons[0])} == {5}


async def test_a_lesson_taken_out_of_the_outline_leaves_both_indexes(stores: StoreAccess, live_stores: Stores) -> None:
    _, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=2)
    async with live_stores.engine.begin() as conn:
        await index_courses(live_stores, conn, [content_id])
    await stores.db["course_content"].update_one({"_id": content_id}, {"$pull": {"modules.0.lesson_ids": lessons[1]}})
    async with live_stores.engine.begin() as conn:
        result = await index_courses(live_stores, conn, [content_id])
    assert result.removed == 1
    assert [d["key"] for d in await _exported(live_stores, content_id)] == [lessons[0]]
    assert await _chunks(live_stores, lessons[1]) == []
