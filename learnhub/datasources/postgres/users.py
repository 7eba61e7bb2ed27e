"""Users and their profiles."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.pagination import Listing
from learnhub.datasources.postgres.raw import Args, Row, names
from learnhub.datasources.postgres.sql import fetch_one
from learnhub.datasources.postgres.tables import user_profiles, users, utcnow

_PUBLIC = (
    users.c.id,
    users.c.email,
    users.c.role,
    users.c.created_at,
    users.c.disabled_at,
    user_profiles.c.display_name,
    user_profiles.c.bio,
    user_profiles.c.avatar_url,
    user_profiles.c.timezone,
)
_PUBLIC_NAMES = names(*_PUBLIC)
_JOINED = "users LEFT OUTER JOIN user_profiles ON user_profiles.user_id = users.id"
_BY_IDS = raw.select(_PUBLIC_NAMES, _JOINED, "users.id = ANY($1::uuid[])")


class EmailTaken(Exception):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def users_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> list[Row]:
    return await raw.fetch(engine, _BY_IDS, ids)


async def credentials_by_email(engine: AsyncEngine, email: str) -> RowMapping | None:
    """The row login needs, password hash included; never handed to GraphQL types."""
    stmt = select(users.c.id, users.c.email, users.c.password_hash, users.c.role, users.c.disabled_at).where(
        users.c.email == normalize_email(email)
    )
    return await fetch_one(engine, stmt)


async def credentials_by_id(engine: AsyncEngine, user_id: uuid.UUID) -> RowMapping | None:
    stmt = select(users.c.id, users.c.email, users.c.password_hash, users.c.role, users.c.disabled_at).where(
        users.c.id == user_id
    )
    return await fetch_one(engine, stmt)


async def set_password(engine: AsyncEngine, user_id: uuid.UUID, password_hash: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            update(users).where(users.c.id == user_id).values(password_hash=password_hash, updated_at=utcnow())
        )


async def set_role(engine: AsyncEngine, user_id: uuid.UUID, role: str) -> bool:
    async with engine.begin() as conn:
        result = await conn.execute(update(users).where(users.c.id == user_id).values(role=role, updated_at=utcnow()))
        return result.rowcount > 0


async def set_disabled(engine: AsyncEngine, user_id: uuid.UUID, disabled: bool) -> bool:
    async with engine.begin() as conn:
        result = await conn.execute(
            update(users)
            .where(users.c.id == user_id)
            .values(disabled_at=utcnow() if disabled else None, updated_at=utcnow())
        )
        return result.rowcount > 0


def user_list(role: str | None) -> Listing:
    """Newest first, optionally of one role (admin screens)."""
    args = Args()
    where = [f"users.role = {args(role)}"] if role is not None else []
    return Listing.of(_PUBLIC_NAMES, _JOINED, "users.id", where, args)


async def create_user(
    engine: AsyncEngine, *, email: str, password_hash: str, display_name: str, role: str = "student"
) -> uuid.UUID:
    """Insert the user and profile in one transaction; raise EmailTaken on a duplicate email."""
    user_id = uuid7()
    now = utcnow()
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(users).values(
                    id=user_id,
                    email=normalize_email(email),
                    password_hash=password_hash,
                    role=role,
                    created_at=now,
                    updated_at=now,
                )
            )
            await conn.execute(
                insert(user_profiles).values(
                    user_id=user_id,
                    display_name=display_name,
                    timezone="UTC",
                    created_at=now,
                    updated_at=now,
                )
            )
    except IntegrityError as exc:
        if "uq_users_email" in str(exc.orig):
            raise EmailTaken(email) from exc
        raise
    return user_id
