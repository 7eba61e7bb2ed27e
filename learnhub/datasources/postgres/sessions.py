"""Refresh-token sessions: a family of tokens per signed-in device, rotated on every refresh."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import exists, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.sql import fetch_all, fetch_value
from learnhub.datasources.postgres.tables import refresh_tokens, users, utcnow


class Refresh(Enum):
    ROTATED = "rotated"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    # An already-rotated token came back: someone holds a copy. The whole family is revoked.
    REUSED = "reused"


@dataclass(frozen=True)
class RefreshOutcome:
    status: Refresh
    user_id: uuid.UUID | None = None
    family_id: uuid.UUID | None = None
    role: str | None = None


@dataclass(frozen=True)
class Device:
    user_agent: str
    ip: str


async def _insert_token(
    conn: AsyncConnection,
    *,
    user_id: uuid.UUID,
    family_id: uuid.UUID,
    family_created_at: datetime,
    token_hash: str,
    expires_at: datetime,
    device: Device,
) -> None:
    await conn.execute(
        insert(refresh_tokens).values(
            id=uuid7(),
            user_id=user_id,
            family_id=family_id,
            token_hash=token_hash,
            user_agent=device.user_agent[:300],
            ip=device.ip[:64],
            family_created_at=family_created_at,
            created_at=utcnow(),
            expires_at=expires_at,
        )
    )


async def start_session(
    engine: AsyncEngine, user_id: uuid.UUID, token_hash: str, expires_at: datetime, device: Device
) -> uuid.UUID:
    """A new family (one device signing in); returns its id, the session id."""
    family_id = uuid7()
    async with engine.begin() as conn:
        await _insert_token(
            conn,
            user_id=user_id,
            family_id=family_id,
            family_created_at=utcnow(),
            token_hash=token_hash,
            expires_at=expires_at,
            device=device,
        )
    return family_id


async def _revoke_family(conn: AsyncConnection, family_id: uuid.UUID, reason: str) -> None:
    await conn.execute(
        update(refresh_tokens)
        .where(refresh_tokens.c.family_id == family_id, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )


async def rotate(
    engine: AsyncEngine, token_hash: str, new_hash: str, new_expires_at: datetime, device: Device
) -> RefreshOutcome:
    """Exchange a refresh token for its successor, in one transaction.

    The row is locked, so of two concurrent refreshes with one token the second sees it
    rotated and is treated as reuse: the family dies, which is the safe side of the race.
    """
    async with engine.begin() as conn:
        row = (
            (
                await conn.execute(
                    select(
                        refresh_tokens.c.id,
                        refresh_tokens.c.user_id,
                        refresh_tokens.c.family_id,
                        refresh_tokens.c.family_created_at,
                        refresh_tokens.c.expires_at,
                        refresh_tokens.c.rotated_at,
                        refresh_tokens.c.revoked_at,
                        users.c.role,
                        users.c.disabled_at,
                    )
                    .join(users, users.c.id == refresh_tokens.c.user_id)
                    .where(refresh_tokens.c.token_hash == token_hash)
                    .with_for_update(of=refresh_tokens)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return RefreshOutcome(Refresh.UNKNOWN)
        found = RefreshOutcome(Refresh.UNKNOWN, row["user_id"], row["family_id"], row["role"])
        if row["revoked_at"] is not None or row["disabled_at"] is not None:
            return RefreshOutcome(Refresh.REVOKED, found.user_id, found.family_id)
        if row["rotated_at"] is not None:
            await _revoke_family(conn, row["family_id"], "reuse")
            return RefreshOutcome(Refresh.REUSED, found.user_id, found.family_id)
        now = utcnow()
        if row["expires_at"] <= now:
            return RefreshOutcome(Refresh.EXPIRED, found.user_id, found.family_id)
        await conn.execute(update(refresh_tokens).where(refresh_tokens.c.id == row["id"]).values(rotated_at=now))
        await _insert_token(
            conn,
            user_id=row["user_id"],
            family_id=row["family_id"],
            family_created_at=row["family_created_at"],
            token_hash=new_hash,
            expires_at=new_expires_at,
            device=device,
        )
        return RefreshOutcome(Refresh.ROTATED, found.user_id, found.family_id, found.role)


async def revoke_session(engine: AsyncEngine, user_id: uuid.UUID, family_id: uuid.UUID, reason: str) -> bool:
    """Revoke one of the user's sessions; False when it is not theirs or already ended."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(refresh_tokens)
            .where(
                refresh_tokens.c.family_id == family_id,
                refresh_tokens.c.user_id == user_id,
                refresh_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow(), revoked_reason=reason)
        )
        return result.rowcount > 0


async def _revoke_all(
    conn: AsyncConnection, user_id: uuid.UUID, reason: str, keep: uuid.UUID | None
) -> list[uuid.UUID]:
    stmt = (
        update(refresh_tokens)
        .where(refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
        .returning(refresh_tokens.c.family_id)
    )
    if keep is not None:
        stmt = stmt.where(refresh_tokens.c.family_id != keep)
    return sorted(set((await conn.execute(stmt)).scalars().all()))


async def revoke_all_sessions(
    engine: AsyncEngine, user_id: uuid.UUID, reason: str, *, keep: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Revoke every session of the user (but `keep`); returns the revoked session ids."""
    async with engine.begin() as conn:
        return await _revoke_all(conn, user_id, reason, keep)


async def change_user_ending_sessions(
    engine: AsyncEngine,
    user_id: uuid.UUID,
    changes: Mapping[str, Any],
    reason: str,
    *,
    keep: uuid.UUID | None = None,
) -> list[uuid.UUID] | None:
    """Change the user's row and revoke their sessions (but `keep`) in one transaction.

    Tokens carry the role and predate a new password or a disabling: a crash between two
    transactions would leave them working, and a retry cannot always repair it (the old
    password no longer proves anything). None when there is no such user.
    """
    async with engine.begin() as conn:
        changed = await conn.execute(update(users).where(users.c.id == user_id).values(**changes, updated_at=utcnow()))
        if changed.rowcount == 0:
            return None
        return await _revoke_all(conn, user_id, reason, keep)


async def session_alive(engine: AsyncEngine, family_id: uuid.UUID) -> bool:
    """Whether the session still stands: a revocation revokes every token of its family at once,
    so one unrevoked token is enough. A disabled account counts as ended, as `rotate` treats it."""
    stmt = select(
        exists().where(
            refresh_tokens.c.family_id == family_id,
            refresh_tokens.c.revoked_at.is_(None),
            users.c.id == refresh_tokens.c.user_id,
            users.c.disabled_at.is_(None),
        )
    )
    return bool(await fetch_value(engine, stmt))


async def active_sessions(engine: AsyncEngine, user_id: uuid.UUID) -> Sequence[RowMapping]:
    """One row per live session: its current (unrotated, unrevoked, unexpired) token; newest use first."""
    stmt = (
        select(
            refresh_tokens.c.family_id,
            refresh_tokens.c.user_agent,
            refresh_tokens.c.ip,
            refresh_tokens.c.family_created_at,
            refresh_tokens.c.created_at.label("last_used_at"),
            refresh_tokens.c.expires_at,
        )
        .where(
            refresh_tokens.c.user_id == user_id,
            refresh_tokens.c.rotated_at.is_(None),
            refresh_tokens.c.revoked_at.is_(None),
            refresh_tokens.c.expires_at > utcnow(),
        )
        .order_by(refresh_tokens.c.created_at.desc())
        # Bounded: a user with more live devices than this sees the most recent ones.
        .limit(100)
    )
    return await fetch_all(engine, stmt)
