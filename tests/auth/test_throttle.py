"""Brute-force limits on sign-in and mail requests, per account and per IP."""

from __future__ import annotations

import httpx

from learnhub.core.settings import Settings
from tests.support.accounts import LOGIN, PASSWORD, REQUEST_LINK, new_account
from tests.support.addresses import fresh_ip
from tests.support.client import gql
from tests.support.data import unique
from tests.support.servers import GatewayFactory


async def _login(http: httpx.AsyncClient, email: str, password: str, ip: str | None = None) -> list[dict[str, object]]:
    headers = {"x-forwarded-for": ip} if ip else None
    body = await gql(http, LOGIN, {"i": {"email": email, "password": password}}, headers=headers, expect_errors=True)
    errors: list[dict[str, object]] = body["data"]["login"]["errors"]
    return errors


async def test_failed_logins_lock_the_account_without_revealing_it_exists(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    account = await new_account(http)
    ghost = f"{unique('ghost')}@example.test"
    for email in (account["email"], ghost):
        for _ in range(settings.login_attempts_per_account):
            assert [e["code"] for e in await _login(http, email, "wrong guess!!")] == ["INVALID_CREDENTIALS"]
    locked = await _login(http, account["email"], PASSWORD)  # even the right password waits now
    unknown = await _login(http, ghost, PASSWORD)
    assert [e["code"] for e in locked] == [e["code"] for e in unknown] == ["TOO_MANY_ATTEMPTS"]
    assert locked[0]["message"] == unknown[0]["message"]
    assert 0 < int(str(locked[0]["retryAfterSeconds"])) <= settings.login_window_seconds


async def test_successful_logins_do_not_count_towards_the_lockout(http: httpx.AsyncClient, settings: Settings) -> None:
    account = await new_account(http)
    for _ in range(settings.login_attempts_per_account + 2):
        assert await _login(http, account["email"], PASSWORD) == []


async def test_magic_link_requests_are_limited_per_address(http: httpx.AsyncClient, settings: Settings) -> None:
    ghost = f"{unique('ghost')}@example.test"
    for _ in range(settings.login_attempts_per_account):
        assert (await gql(http, REQUEST_LINK, {"e": ghost}, expect_errors=True))["data"]["requestMagicLink"][
            "ok"
        ] is True
    refused = (await gql(http, REQUEST_LINK, {"e": ghost}, expect_errors=True))["data"]["requestMagicLink"]
    assert refused["ok"] is False
    assert refused["errors"][0]["code"] == "TOO_MANY_ATTEMPTS"


async def test_failed_logins_are_limited_per_ip(gateway_factory: GatewayFactory) -> None:
    server = gateway_factory(login_attempts_per_ip=3, trust_forwarded_for=True)
    ip = fresh_ip()
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        for n in range(3):
            errors = await _login(http, f"{unique('spray')}@example.test", "guess number one", ip=ip)
            assert [e["code"] for e in errors] == ["INVALID_CREDENTIALS"], n
        errors = await _login(http, f"{unique('spray')}@example.test", "guess number one", ip=ip)
        assert [e["code"] for e in errors] == ["TOO_MANY_ATTEMPTS"]
        # Another client address is not affected.
        other = await _login(http, f"{unique('spray')}@example.test", "guess number one", ip=fresh_ip())
        assert [e["code"] for e in other] == ["INVALID_CREDENTIALS"]
