"""Lessons like a given one: nearest neighbours of the mean vector of its chunks."""

from __future__ import annotations

from learnhub.datasources.postgres import chunks as chunk_store
from learnhub.datasources.postgres.courses import CourseScope
from learnhub.datasources.stores import Stores


async def nearest_to_lesson(stores: Stores, lesson_id: str, scope: CourseScope, limit: int) -> list[str]:
    """Up to `limit` lesson ids, most similar first, the lesson itself left out; [] until the
    lesson has vectors. One query; visibility is applied in SQL, and again by the loaders."""
    if limit <= 0:
        return []
    model = await chunk_store.active_model(stores.engine, stores.embedder.name)
    if model is None:
        return []
    rows = await chunk_store.nearest_lessons(
        stores.vectors,
        model,
        chunk_store.Near(lesson_id=lesson_id),
        scope,
        limit=limit,
        min_similarity=-1.0,
    )
    return [row["lesson_id"] for row in rows]
