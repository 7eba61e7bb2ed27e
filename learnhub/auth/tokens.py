"""Signed access tokens (JWT, HS256, with a key id so keys rotate without logging anyone out)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import jwt

from learnhub.core.settings import Settings

ALGORITHM = "HS256"  # pinned: the verifier accepts nothing else (no `none`, no algorithm confusion)


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    expires_at: int
    issued_at: int
    session_id: str | None


def issue_access_token(settings: Settings, user_id: uuid.UUID, role: str, session_id: uuid.UUID) -> str:
    """A short-lived token naming its session (`sid`), so revoking the session ends it at once."""
    kid = settings.jwt_active_key_id
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "role": role,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + settings.access_token_ttl_seconds,
        "typ": "access",
        "sid": str(session_id),
    }
    key = settings.jwt_keys[kid].get_secret_value()
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})


def verify_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        secret = settings.jwt_keys.get(kid) if isinstance(kid, str) else None
        if secret is None:
            raise InvalidToken("unknown key id")
        claims = jwt.decode(
            token,
            secret.get_secret_value(),
            algorithms=[ALGORITHM],
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
        if claims.get("typ") != "access":
            raise InvalidToken("not an access token")
        sid = claims.get("sid")
        return AccessClaims(
            user_id=uuid.UUID(claims["sub"]),
            role=str(claims.get("role", "student")),
            expires_at=int(claims["exp"]),
            issued_at=int(claims["iat"]),
            session_id=sid if isinstance(sid, str) else None,
        )
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise InvalidToken(str(exc)) from exc
