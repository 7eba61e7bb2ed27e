"""Access tokens: only untampered, unexpired HS256 tokens under a known key id open anything."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import httpx
import jwt
import orjson

from learnhub.core.settings import Settings
from tests.support.client import gql
from tests.support.data import register, user_id_of

ME = "{ me { id } }"
PROFILE = "{ me { email displayName role profile { timezone } } }"


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def _sign(settings: Settings, claims: dict[str, Any], *, kid: str = "dev-1", key: str | None = None) -> str:
    secret = key if key is not None else settings.jwt_keys[kid].get_secret_value()
    return jwt.encode(claims, secret, algorithm="HS256", headers={"kid": kid})


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


async def _refused(http: httpx.AsyncClient, token: str) -> None:
    body = await gql(http, ME, token=token, expect_errors=True)
    assert body["data"]["me"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]


async def test_a_genuine_token_works(http: httpx.AsyncClient, settings: Settings) -> None:
    token, _ = await register(http)
    resigned = _sign(settings, _claims(token))
    assert (await gql(http, ME, token=resigned))["data"]["me"]["id"]


async def test_tampered_payload_is_refused(http: httpx.AsyncClient) -> None:
    token, _ = await register(http)
    header, _, signature = token.split(".")
    claims = _claims(token) | {"role": "admin"}
    await _refused(http, f"{header}.{_b64(claims)}.{signature}")


async def test_expired_token_is_refused(http: httpx.AsyncClient, settings: Settings) -> None:
    token, _ = await register(http)
    now = int(time.time())
    await _refused(http, _sign(settings, _claims(token) | {"iat": now - 2000, "exp": now - 10}))


async def test_unknown_key_id_is_refused(http: httpx.AsyncClient, settings: Settings) -> None:
    token, _ = await register(http)
    await _refused(http, _sign(settings, _claims(token), kid="retired-key", key="x" * 64))


async def test_right_key_id_wrong_secret_is_refused(http: httpx.AsyncClient, settings: Settings) -> None:
    token, _ = await register(http)
    await _refused(http, _sign(settings, _claims(token), key="an attacker's guess at the secret, long enough"))


async def test_alg_none_is_refused(http: httpx.AsyncClient) -> None:
    token, _ = await register(http)
    header = _b64({"alg": "none", "typ": "JWT", "kid": "dev-1"})
    await _refused(http, f"{header}.{_b64(_claims(token))}.")


async def test_algorithm_confusion_is_refused(http: httpx.AsyncClient, settings: Settings) -> None:
    token, _ = await register(http)
    secret = settings.jwt_keys["dev-1"].get_secret_value()
    forged = jwt.encode(_claims(token), secret, algorithm="HS384", headers={"kid": "dev-1"})
    await _refused(http, forged)


async def test_token_without_session_or_of_wrong_type_is_refused(http: httpx.AsyncClient, settings: Settings) -> None:
    token, _ = await register(http)
    claims = _claims(token)
    await _refused(http, _sign(settings, {k: v for k, v in claims.items() if k != "sid"}))
    await _refused(http, _sign(settings, claims | {"typ": "refresh"}))
    await _refused(http, _sign(settings, claims | {"iss": "someone-else"}))


async def test_rotated_keys_keep_old_tokens_valid(http: httpx.AsyncClient, settings: Settings) -> None:
    """A token signed by a retired-but-listed key id still verifies: rotation logs nobody out."""
    from learnhub.auth.tokens import verify_access_token

    token, _ = await register(http)
    rotated = settings.model_copy(
        update={
            "jwt_keys": settings.jwt_keys | {"k2": settings.jwt_keys["dev-1"].__class__("n" * 40)},
            "jwt_active_key_id": "k2",
        }
    )
    assert verify_access_token(rotated, token).user_id == user_id_of(token)
    from learnhub.auth.tokens import issue_access_token

    fresh = issue_access_token(rotated, uuid.uuid4(), "student", uuid.uuid4())
    assert jwt.get_unverified_header(fresh)["kid"] == "k2"


async def test_a_bad_token_is_unauthenticated_not_anonymous(http: httpx.AsyncClient) -> None:
    body = await gql(http, PROFILE, token="not.a.token", expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["data"]["me"] is None
