"""The benchmark's data: migrate the fresh stores, write the scale-N data set, find the ids the loads use."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from learnhub.auth.passwords import hash_password
from learnhub.core.settings import Settings
from learnhub.datasources.mongo.client import make_client
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.postgres.tables import courses, users
from learnhub.migrations.migrate import migrate_all
from learnhub.seed.scale import seed_scale, user_email

# Every seeded account shares one password hash (see learnhub/seed/scale.py); this is its password.
PASSWORD = "learnhub-bench-password"
# user000000 is one of the students with exactly 20 enrollments (HEAVY_USER_ENROLLMENTS).
DASHBOARD_USER = user_email(0)


@dataclass(frozen=True)
class Dataset:
    scale: int
    dashboard_user_email: str
    dashboard_user_id: uuid.UUID
    hot_content_id: str
    seed_seconds: float
    rows: int
    documents: int


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
    return Dataset(
        scale=scale,
        dashboard_user_email=DASHBOARD_USER,
        dashboard_user_id=user_id,
        hot_content_id=hot,
        seed_seconds=seconds,
        rows=report.rows,
        documents=report.documents,
    )


def prepare(settings: Settings, scale: int) -> Dataset:
    """Migrate and seed (synchronous: Alembic runs its own event loop)."""
    migrate_all(settings)
    return asyncio.run(_seed(settings, scale))
