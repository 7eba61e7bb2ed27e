"""Operations and helpers shared by the account tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.client import gql
from tests.support.data import unique

PASSWORD = "correct horse battery"

AUTH_FIELDS = (
    "accessToken refreshToken refreshTokenExpiresAt user { id } errors { code field message retryAfterSeconds }"
)
LOGIN = f"mutation($i: LoginInput!) {{ login(input: $i) {{ {AUTH_FIELDS} }} }}"
REGISTER = f"mutation($i: RegisterInput!) {{ register(input: $i) {{ {AUTH_FIELDS} }} }}"
REFRESH = f"mutation($t: String!) {{ refreshSession(refreshToken: $t) {{ {AUTH_FIELDS} }} }}"
RESULT = "ok errors { code field message retryAfterSeconds }"
CHANGE_PASSWORD = f"mutation($i: ChangePasswordInput!) {{ changePassword(input: $i) {{ {RESULT} }} }}"
REQUEST_LINK = f"mutation($e: String!) {{ requestMagicLink(email: $e) {{ {RESULT} }} }}"
USE_LINK = f"mutation($t: String!) {{ signInWithMagicLink(token: $t) {{ {AUTH_FIELDS} }} }}"
REQUEST_RESET = f"mutation($e: String!) {{ requestPasswordReset(email: $e) {{ {RESULT} }} }}"
RESET = f"mutation($i: ResetPasswordInput!) {{ resetPassword(input: $i) {{ {AUTH_FIELDS} }} }}"
ME = "{ me { id email } }"


def device(agent: str) -> dict[str, str]:
    """The headers of a client that names itself `agent` (sessions list it)."""
    return {"user-agent": agent}


async def new_account(http: httpx.AsyncClient, agent: str = "pytest") -> dict[str, Any]:
    """Register; returns the AuthPayload plus the email."""
    email = f"{unique('acct')}@example.test"
    variables = {"i": {"email": email, "password": PASSWORD, "displayName": "A"}}
    body = await gql(http, REGISTER, variables, headers=device(agent), expect_errors=True)
    payload = body["data"]["register"]
    assert payload["errors"] == [], payload
    return payload | {"email": email}


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD, agent: str = "pytest") -> dict[str, Any]:
    variables = {"i": {"email": email, "password": password}}
    body = await gql(http, LOGIN, variables, headers=device(agent), expect_errors=True)
    payload: dict[str, Any] = body["data"]["login"]
    return payload


async def is_signed_in(http: httpx.AsyncClient, access_token: str) -> bool:
    body = await gql(http, ME, token=access_token, expect_errors=True)
    return body["data"]["me"] is not None
