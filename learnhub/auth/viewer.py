"""Who is asking: built once per request from the Authorization header."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from learnhub.auth.tokens import InvalidToken, verify_access_token
from learnhub.settings import Settings


@dataclass(frozen=True)
class Viewer:
    user_id: uuid.UUID | None = None
    role: str = "anonymous"
    # Set when a token was sent but rejected: `me` then says why instead of returning null.
    token_error: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Viewer()


def viewer_from_header(settings: Settings, authorization: str | None) -> Viewer:
    if not authorization:
        return ANONYMOUS
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return Viewer(token_error="Authorization header must be `Bearer <token>`")
    try:
        claims = verify_access_token(settings, token.strip())
    except InvalidToken:
        return Viewer(token_error="The access token is invalid or has expired")
    return Viewer(user_id=claims.user_id, role=claims.role)
