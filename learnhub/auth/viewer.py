"""Who is asking: built once per request from the Authorization header."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from learnhub.auth.sessions import session_is_live
from learnhub.auth.tokens import InvalidToken, verify_access_token
from learnhub.core.settings import Settings
from learnhub.datasources.stores import Stores

STAFF_ROLES = frozenset({"instructor", "admin"})


@dataclass(frozen=True)
class Viewer:
    user_id: uuid.UUID | None = None
    role: str = "anonymous"
    session_id: str | None = None
    # Set when a token was sent but rejected: `me` then says why instead of returning null.
    token_error: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_staff(self) -> bool:
        """Instructors and admins: they see unpublished courses and every lesson body."""
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_see_user(self, user_id: uuid.UUID) -> bool:
        """A user's own records are visible to that user and to admins, nobody else."""
        return self.user_id == user_id or self.role == "admin"


ANONYMOUS = Viewer()


_INVALID = "The access token is invalid or has expired"


def _session_uuid(session_id: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(session_id) if session_id else None
    except ValueError:
        return None


async def viewer_from_header(settings: Settings, stores: Stores, authorization: str | None) -> Viewer:
    """Verify the bearer token, then check its session is still alive (Redis, else PostgreSQL)."""
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return Viewer(token_error="Authorization header must be `Bearer <token>`")
    try:
        claims = verify_access_token(settings, token.strip())
    except InvalidToken:
        return Viewer(token_error=_INVALID)
    # Every access token names its session; one without is from before sessions and is refused.
    session_id = _session_uuid(claims.session_id)
    if session_id is None or not await session_is_live(stores, session_id):
        return Viewer(token_error="The session has ended; sign in again")
    return Viewer(user_id=claims.user_id, role=claims.role, session_id=claims.session_id)
