"""Alembic: upgrade from empty, downgrade to base, and no drift between models and migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import metadata
from learnhub.migrations.migrate import downgrade_postgres, upgrade_postgres
from tests.support.data import unique

TABLES = {
    "users",
    "user_profiles",
    "courses",
    "enrollments",
    "lesson_progress",
    "quiz_attempts",
    "auth_refresh_tokens",
    "trusted_documents",
    "outbox_events",
    "achievements",
    "user_achievements",
    "activity_days",
    "embedding_models",
    "lesson_chunks",
    "search_terms",
    "documents",
    "share_links",
    "plans",
    "payments",
    "subscriptions",
    "provider_events",
    "analytics_events",
    "analytics_daily",
    "analytics_lesson_reach",
}


def _run(url: str, sql: str) -> list[tuple[object, ...]]:
    async def go() -> list[tuple[object, ...]]:
        engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            result = await conn.execute(text(sql))
            rows = [tuple(r) for r in result.all()] if result.returns_rows else []
        await engine.dispose()
        return rows

    return asyncio.run(go())


@pytest.fixture
def empty_db(settings: Settings) -> Iterator[Settings]:
    """A brand-new database on the session's server, dropped afterwards."""
    name = unique("migrations").replace("-", "_")
    _run(settings.database_url, f"CREATE DATABASE {name}")
    url = settings.database_url.rsplit("/", 1)[0] + f"/{name}"
    yield settings.model_copy(update={"database_url": url})
    _run(settings.database_url, f"DROP DATABASE {name} WITH (FORCE)")


def _tables(url: str) -> set[str]:
    rows = _run(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {str(r[0]) for r in rows} - {"alembic_version"}


def _drift(url: str) -> list[object]:
    async def go() -> list[object]:
        engine = create_async_engine(url)

        def compare(conn: Connection) -> list[object]:
            return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata))

        async with engine.connect() as conn:
            diff = await conn.run_sync(compare)
        await engine.dispose()
        return diff

    return asyncio.run(go())


def test_upgrade_from_empty_creates_every_table_and_index(empty_db: Settings) -> None:
    assert _tables(empty_db.database_url) == set()
    upgrade_postgres(empty_db)
    assert _tables(empty_db.database_url) == TABLES
    indexes = {
        str(r[0]) for r in _run(empty_db.database_url, "SELECT indexname FROM pg_indexes WHERE schemaname='public'")
    }
    for expected in (
        "ix_enrollments_user_id_id",
        "ix_enrollments_course_id",
        "ix_lesson_progress_course_id",
        "ix_quiz_attempts_user_id_id",
        "ix_courses_created_at",
        "uq_users_email",
        "ix_search_terms_term_trgm",
        "ix_lesson_chunks_course_id",
    ):
        assert expected in indexes


def test_downgrade_to_base_removes_everything(empty_db: Settings) -> None:
    upgrade_postgres(empty_db)
    downgrade_postgres(empty_db, "base")
    assert _tables(empty_db.database_url) == set()


def test_models_and_migrations_agree(empty_db: Settings) -> None:
    upgrade_postgres(empty_db)
    assert _drift(empty_db.database_url) == []
