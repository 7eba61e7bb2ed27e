"""Telling the search indexes that a course's content changed.

Content lives in MongoDB and the outbox in PostgreSQL, so no transaction spans both. The order
makes a crash harmless: an event due in RECOVERY_SECONDS is committed before the MongoDB
write, and one due at once after it. A crash between the write and the second event leaves the
first, which re-indexes the course a little later; a write that was refused leaves an event that
re-indexes an unchanged course, which changes nothing (the indexer reads the stores, never the
event).

The public cache's content generation moves once the write is done, whether it succeeded or
not (a write that failed may still have landed), before the mutation answers
(learnhub/caching/invalidation.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from learnhub.caching.invalidation import content_changed
from learnhub.datasources.postgres import outbox
from learnhub.datasources.stores import Stores

RECOVERY_SECONDS = 30.0


@asynccontextmanager
async def reindexing(stores: Stores, course_content_id: str) -> AsyncIterator[None]:
    """Wrap a MongoDB write to a course's content, lessons, quizzes or questions."""
    async with stores.engine.begin() as conn:
        await outbox.course_changed(conn, course_content_id, delay_seconds=RECOVERY_SECONDS)
    try:
        yield
    finally:
        await content_changed(stores.redis)
    async with stores.engine.begin() as conn:
        await outbox.course_changed(conn, course_content_id)
