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
ME = "{ me { id email } }"


async def call(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    agent: str = "pytest",
    ip: str | None = None,
) -> dict[str, Any]:
    """POST with a chosen user agent; returns the whole body (errors allowed)."""
    headers = {"user-agent": agent}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if ip:
        headers["x-forwarded-for"] = ip
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def new_account(http: httpx.AsyncClient, agent: str = "pytest") -> dict[str, Any]:
    """Register; returns the AuthPayload plus the email."""
    email = f"{unique('acct')}@example.test"
    body = await call(http, REGISTER, {"i": {"email": email, "password": PASSWORD, "displayName": "A"}}, agent=agent)
    payload = body["data"]["register"]
    assert payload["errors"] == [], payload
    return payload | {"email": email}


async def login(http: httpx.AsyncClient, email: str, password: str = PASSWORD, agent: str = "pytest") -> dict[str, Any]:
    body = await call(http, LOGIN, {"i": {"email": email, "password": password}}, agent=agent)
    payload: dict[str, Any] = body["data"]["login"]
    return payload


async def is_signed_in(http: httpx.AsyncClient, access_token: str) -> bool:
    body = await gql(http, ME, token=access_token, expect_errors=True)
    return body["data"]["me"] is not None
