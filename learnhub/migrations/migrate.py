"""Bring every store's schema up to date: PostgreSQL (Alembic), MongoDB indexes, the S3 bucket."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from learnhub.core.settings import Settings
from learnhub.datasources.mongo.client import init_documents, make_client
from learnhub.datasources.storage import Storage

MIGRATIONS = Path(__file__).parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute, not an ini option: configparser would mangle `%` in passwords.
    config.attributes["database_url"] = database_url
    return config


def upgrade_postgres(settings: Settings, revision: str = "head") -> None:
    """Alembic's env runs its own event loop, so call this from synchronous code only."""
    command.upgrade(alembic_config(settings.database_url), revision)


def downgrade_postgres(settings: Settings, revision: str = "base") -> None:
    command.downgrade(alembic_config(settings.database_url), revision)


async def prepare_other_stores(settings: Settings) -> None:
    client = make_client(settings)
    try:
        await init_documents(client[settings.mongodb_database], create_indexes=True)
    finally:
        await client.close()
    storage = Storage(settings)
    await storage.open()
    try:
        await storage.ensure_bucket()
    finally:
        await storage.close()


def migrate_all(settings: Settings) -> None:
    upgrade_postgres(settings)
    asyncio.run(prepare_other_stores(settings))
