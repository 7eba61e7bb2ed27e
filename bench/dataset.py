"""The benchmark's data: migrate the fresh stores, write the scale-N data set, index it for
search, find the ids the loads use.

PostgreSQL's statistics are gathered once everything is written (ANALYZE), so the plans the
loads get do not depend on when autovacuum happens to run: before it, the planner took the
29,000 fresh lesson chunks for 231 rows and skipped the HNSW index (30 ms per query instead of 4).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select, text

from learnhub.auth.passwords import hash_password
from learnhub.core.settings import Settings
from learnhub.datasources.mongo.client import make_client
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.postgres.tables import courses, users
from learnhub.datasources.stores import Stores
from learnhub.migrations.migrate import migrate_all
from learnhub.search.maintenance import reindex
from learnhub.seed.scale import seed_scale, user_email

# Every seeded account shares one password hash (see learnhub/seed/scale.py); this is its password.
PASSWORD = "learnhub-bench-password"
# user000000 is one of the students with exactly 20 enrollments (HEAVY_USER_ENROLLMENTS).
DASHBOARD_USER = user_email(0)


@dataclass(frozen=True)
class Indexing:
    """What `learnhub.search.maintenance.reindex` did with the seeded data."""

    seconds: float
    documents: int  # Typesense documents: courses + lessons + questions
    courses: int
    lessons: int
    questions: int
    chunks: int  # lesson chunks embedded into pgvector
    embedded_lessons: int

    def to_json(self) -> dict[str, float | int]:
        return {
            "seconds": round(self.seconds, 1),
            "documents": self.documents,
            "courses": self.courses,
            "lessons": self.lessons,
            "questions": self.questions,
            "chunks": self.chunks,
            "embedded_lessons": self.embedded_lessons,
        }


@dataclass(frozen=True)
class Dataset:
    scale: int
    dashboard_user_email: str
    dashboard_user_id: uuid.UUID
    hot_content_id: str
    seed_seconds: float
    rows: int
    documents: int
    indexing: Indexing


async def index_all(settings: Settings) -> Indexing:
    """Build the Typesense collections and the lesson chunks from the stores, as an operator's
    `learnhub search reindex` does."""
    stores = await Stores.open(settings)
    try:
        await stores.bind_documents()
        began = time.perf_counter()
        done = await reindex(stores)
        seconds = time.perf_counter() - began
    finally:
        await stores.close()
    indexed = done.indexed
    return Indexing(
        seconds=seconds,
        documents=indexed.courses + indexed.lessons + indexed.questions,
        courses=indexed.courses,
        lessons=indexed.lessons,
        questions=indexed.questions,
        chunks=indexed.chunks,
        embedded_lessons=indexed.embedded,
    )


async def analyze(settings: Settings) -> None:
    """Fresh statistics for every table (the seed and the index wrote them in bulk)."""
    engine = make_engine(settings)
    try:
        async with engine.begin() as conn:  # committed: statistics roll back with their transaction
            await conn.execute(text("ANALYZE"))
    finally:
        await engine.dispose()


async def _seed(settings: Settings, scale: int) -> Dataset:
    engine = make_engine(settings)
    client = make_client(settings)
    try:
        began = time.perf_counter()
        report = await seed_scale(
            engine, client[settings.mongodb_database], scale, password_hash=await hash_password(PASSWORD)
        )
        seconds = time.perf_counter() - began
        async with engine.connect() as conn:
            user_id = (await conn.execute(select(users.c.id).where(users.c.email == DASHBOARD_USER))).scalar_one()
            # The hot read: the first course of the catalogue, which every visitor sees.
            hot = (
                await conn.execute(
                    select(courses.c.content_id).where(courses.c.published).order_by(courses.c.id).limit(1)
                )
            ).scalar_one()
    finally:
        await engine.dispose()
        await client.close()
    indexing = await index_all(settings)
    await analyze(settings)
    return Dataset(
        scale=scale,
        dashboard_user_email=DASHBOARD_USER,
        dashboard_user_id=user_id,
        hot_content_id=hot,
        seed_seconds=seconds,
        rows=report.rows,
        documents=report.documents,
        indexing=indexing,
    )


def prepare(settings: Settings, scale: int) -> Dataset:
    """Migrate, seed and index (synchronous: Alembic runs its own event loop)."""
    migrate_all(settings)
    return asyncio.run(_seed(settings, scale))
