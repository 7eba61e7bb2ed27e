"""Sign-in links and password resets, delivered through a real SMTP server."""

from __future__ import annotations

from typing import Any

import httpx
from redis.asyncio import Redis

from learnhub.core.settings import Settings
from tests.support.accounts import (
    PASSWORD,
    REFRESH,
    REQUEST_LINK,
    REQUEST_RESET,
    RESET,
    USE_LINK,
    is_signed_in,
    login,
    new_account,
)
from tests.support.client import gql
from tests.support.data import unique
from tests.support.mail import Mailbox, link_token


async def _keys(settings: Settings, pattern: str) -> set[bytes]:
    redis = Redis.from_url(settings.redis_url)
    try:
        return {key async for key in redis.scan_iter(match=pattern)}
    finally:
        await redis.aclose()


async def _reset(http: httpx.AsyncClient, token: str, new_password: str) -> dict[str, Any]:
    """`resetPassword` with the link's token: the payload."""
    body = await gql(http, RESET, {"i": {"token": token, "newPassword": new_password}}, expect_errors=True)
    payload: dict[str, Any] = body["data"]["resetPassword"]
    return payload


async def test_magic_link_signs_in_once(http: httpx.AsyncClient, mailbox: Mailbox) -> None:
    account = await new_account(http)
    body = await gql(http, REQUEST_LINK, {"e": account["email"].upper()}, expect_errors=True)
    assert body["data"]["requestMagicLink"] == {"ok": True, "errors": []}
    token = link_token(await mailbox.wait_for(account["email"]))

    first = (await gql(http, USE_LINK, {"t": token}, expect_errors=True))["data"]["signInWithMagicLink"]
    assert first["errors"] == []
    assert first["user"]["id"] == account["user"]["id"]
    assert await is_signed_in(http, first["accessToken"])

    second = (await gql(http, USE_LINK, {"t": token}, expect_errors=True))["data"]["signInWithMagicLink"]
    assert [e["code"] for e in second["errors"]] == ["INVALID_TOKEN"]
    assert second["accessToken"] is None


async def test_magic_link_lives_15_minutes_and_is_refused_once_expired(
    http: httpx.AsyncClient, mailbox: Mailbox, settings: Settings
) -> None:
    account = await new_account(http)
    await gql(http, REQUEST_LINK, {"e": account["email"]}, expect_errors=True)
    token = link_token(await mailbox.wait_for(account["email"]))
    redis = Redis.from_url(settings.redis_url)
    try:
        ttl = await redis.pttl(f"magiclink:{token}")
        assert 890_000 < ttl <= 900_000
        await redis.pexpireat(f"magiclink:{token}", 1)  # a moment in the past: Redis expires it now
    finally:
        await redis.aclose()
    expired = (await gql(http, USE_LINK, {"t": token}, expect_errors=True))["data"]["signInWithMagicLink"]
    assert [e["code"] for e in expired["errors"]] == ["INVALID_TOKEN"]


async def test_unknown_email_gets_the_same_answer_and_no_link(http: httpx.AsyncClient, settings: Settings) -> None:
    before = await _keys(settings, "magiclink:*")
    body = await gql(http, REQUEST_LINK, {"e": f"{unique('ghost')}@example.test"}, expect_errors=True)
    assert body["data"]["requestMagicLink"] == {"ok": True, "errors": []}
    assert await _keys(settings, "magiclink:*") == before


async def test_bad_link_tokens_are_refused(http: httpx.AsyncClient) -> None:
    for token in ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000", "x" * 10_000]:
        payload = (await gql(http, USE_LINK, {"t": token}, expect_errors=True))["data"]["signInWithMagicLink"]
        assert [e["code"] for e in payload["errors"]] == ["INVALID_TOKEN"]


async def test_password_reset_ends_every_session(http: httpx.AsyncClient, mailbox: Mailbox) -> None:
    account = await new_account(http)
    laptop = await login(http, account["email"])
    await gql(http, REQUEST_RESET, {"e": account["email"]}, expect_errors=True)
    message = await mailbox.wait_for(account["email"])
    assert message["Subject"] == "Reset your LearnHub password"
    token = link_token(message)

    weak = await _reset(http, token, "short")
    assert [e["code"] for e in weak["errors"]] == ["PASSWORD_TOO_SHORT"]
    # A refused new password does not use the link up.
    done = await _reset(http, token, "brand new secret")
    assert done["errors"] == []
    assert await is_signed_in(http, done["accessToken"])

    for old in (account, laptop):
        assert not await is_signed_in(http, old["accessToken"])
        refused = (await gql(http, REFRESH, {"t": old["refreshToken"]}, expect_errors=True))["data"]["refreshSession"]
        assert refused["accessToken"] is None
    assert (await login(http, account["email"], PASSWORD))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login(http, account["email"], "brand new secret"))["errors"] == []

    again = await _reset(http, token, "another secret!")
    assert [e["code"] for e in again["errors"]] == ["INVALID_TOKEN"]
