"""Sessions: an access token plus a rotating refresh token per signed-in device."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from learnhub.auth.tokens import issue_access_token
from learnhub.datasources import redis as keys
from learnhub.datasources.postgres import sessions
from learnhub.datasources.postgres.sessions import Device, Refresh
from learnhub.datasources.postgres.tables import utcnow
from learnhub.settings import Settings
from learnhub.stores import Stores

# 256 bits from the OS CSPRNG; only its SHA-256 is stored (a fast hash suffices at this entropy).
REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True)
class SignedIn:
    user_id: uuid.UUID
    session_id: uuid.UUID
    access_token: str
    refresh_token: str
    refresh_expires_at: datetime


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_refresh(settings: Settings) -> tuple[str, str, datetime]:
    token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
    return token, hash_refresh_token(token), utcnow() + timedelta(days=settings.refresh_token_ttl_days)


def _revocation_ttl(settings: Settings) -> int:
    # A revocation marker must outlive every access token that could carry the session id.
    return settings.access_token_ttl_seconds + 60


async def sign_in(stores: Stores, user_id: uuid.UUID, role: str, device: Device) -> SignedIn:
    """Start a new session (token family) for the user on this device."""
    settings = stores.settings
    token, token_hash, expires_at = _new_refresh(settings)
    session_id = await sessions.start_session(stores.engine, user_id, token_hash, expires_at, device)
    access = issue_access_token(settings, user_id, role, session_id)
    return SignedIn(user_id, session_id, access, token, expires_at)


async def refresh(stores: Stores, refresh_token: str, device: Device) -> SignedIn | Refresh:
    """Rotate: the presented token dies and a new pair is issued; a reused token ends its family."""
    settings = stores.settings
    token, token_hash, expires_at = _new_refresh(settings)
    outcome = await sessions.rotate(
        stores.engine, hash_refresh_token(refresh_token[:200]), token_hash, expires_at, device
    )
    if outcome.status is Refresh.REUSED and outcome.family_id is not None:
        # Whoever holds the stolen copy may also hold a live access token of this session.
        await keys.revoke_sessions(stores.redis, [outcome.family_id], _revocation_ttl(settings))
    if outcome.status is not Refresh.ROTATED:
        return outcome.status
    assert outcome.user_id is not None
    assert outcome.family_id is not None
    assert outcome.role is not None
    access = issue_access_token(settings, outcome.user_id, outcome.role, outcome.family_id)
    return SignedIn(outcome.user_id, outcome.family_id, access, token, expires_at)


async def end_session(stores: Stores, user_id: uuid.UUID, session_id: uuid.UUID, reason: str) -> bool:
    """Revoke one session: its refresh token and, through Redis, its live access tokens."""
    ended = await sessions.revoke_session(stores.engine, user_id, session_id, reason)
    if ended:
        await keys.revoke_sessions(stores.redis, [session_id], _revocation_ttl(stores.settings))
    return ended


async def end_all_sessions(
    stores: Stores, user_id: uuid.UUID, reason: str, *, keep: uuid.UUID | None = None
) -> list[uuid.UUID]:
    """Revoke every session of the user but `keep`, with their live access tokens."""
    ended = await sessions.revoke_all_sessions(stores.engine, user_id, reason, keep=keep)
    await keys.revoke_sessions(stores.redis, ended, _revocation_ttl(stores.settings))
    return ended
