"""Ended sessions stay ended when Redis loses its data: PostgreSQL decides, Redis only caches.

These tests crash the session-wide Redis (it keeps nothing, as in production) and start it
again on the same port; every gateway reconnects on its own, so later tests find it usable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import httpx
import jwt
import pytest
import redis

from learnhub.auth.sessions import SESSION_ALIVE_TTL_SECONDS
from learnhub.datasources.redis import ALIVE_SESSION, REVOKED_SESSION
from learnhub.embedded import EmbeddedCluster
from learnhub.embedded.redis import EmbeddedRedis
from learnhub.graphql.relay.node import to_global_id
from tests.support.accounts import AUTH_FIELDS, PASSWORD, REFRESH, RESULT, call, is_signed_in, login, new_account
from tests.support.data import StoreAccess, user_id_of
from tests.support.mail import Mailbox, link_token
from tests.support.servers import GatewayFactory
from tests.support.world import account_with_role

CHANGE_PASSWORD = f"mutation($i: ChangePasswordInput!) {{ changePassword(input: $i) {{ {RESULT} }} }}"
REQUEST_RESET = f"mutation($e: String!) {{ requestPasswordReset(email: $e) {{ {RESULT} }} }}"
RESET = f"mutation($i: ResetPasswordInput!) {{ resetPassword(input: $i) {{ {AUTH_FIELDS} }} }}"
SET_ROLE = "mutation($id: ID!) { setUserRole(userId: $id, role: INSTRUCTOR) { errors { code } } }"
DISABLE = "mutation($id: ID!) { setUserDisabled(userId: $id, disabled: true) { errors { code } } }"


@dataclass(frozen=True)
class Ended:
    """Access tokens whose sessions were ended, and tokens that must keep working."""

    refused: list[str]
    kept: list[str]


@dataclass(frozen=True)
class Deps:
    http: httpx.AsyncClient
    stores: StoreAccess
    mailbox: Mailbox


def _session_id(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["sid"])


@pytest.fixture
def redis_server(cluster: EmbeddedCluster) -> EmbeddedRedis:
    return next(s for s in cluster.servers if isinstance(s, EmbeddedRedis))


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    """A plain client of the test's own, to look at what Redis holds."""
    client = redis.Redis(host="127.0.0.1", port=redis_server.port)
    yield client
    client.close()


def _session_keys(client: redis.Redis, token: str) -> set[str]:
    sid = _session_id(token)
    return {prefix for prefix in (REVOKED_SESSION, ALIVE_SESSION) if client.exists(f"{prefix}:{sid}")}


def _restart(server: EmbeddedRedis, client: redis.Redis, tokens: list[str]) -> None:
    """Crash and restart Redis, and check the restart really lost what it held of these sessions."""
    server.restart()
    assert all(_session_keys(client, token) == set() for token in tokens)


# ----- the ways a session ends ------------------------------------------------------------------


async def _logout(d: Deps) -> Ended:
    account = await new_account(d.http)
    other = await login(d.http, account["email"])
    body = await call(d.http, f"mutation {{ logout {{ {RESULT} }} }}", token=account["accessToken"])
    assert body["data"]["logout"]["ok"] is True
    return Ended(refused=[account["accessToken"]], kept=[other["accessToken"]])


async def _logout_everywhere(d: Deps) -> Ended:
    account = await new_account(d.http)
    device = await login(d.http, account["email"])
    body = await call(d.http, f"mutation {{ logoutEverywhere {{ {RESULT} }} }}", token=device["accessToken"])
    assert body["data"]["logoutEverywhere"]["ok"] is True
    return Ended(refused=[account["accessToken"], device["accessToken"]], kept=[])


async def _refresh_token_reuse(d: Deps) -> Ended:
    account = await new_account(d.http)
    rotated = (await call(d.http, REFRESH, {"t": account["refreshToken"]}))["data"]["refreshSession"]
    reuse = (await call(d.http, REFRESH, {"t": account["refreshToken"]}))["data"]["refreshSession"]
    assert [e["code"] for e in reuse["errors"]] == ["TOKEN_REUSED"]
    return Ended(refused=[account["accessToken"], rotated["accessToken"]], kept=[])


async def _change_password(d: Deps) -> Ended:
    account = await new_account(d.http)
    other = await login(d.http, account["email"])
    new = {"currentPassword": PASSWORD, "newPassword": "a new long secret"}
    body = await call(d.http, CHANGE_PASSWORD, {"i": new}, token=account["accessToken"])
    assert body["data"]["changePassword"] == {"ok": True, "errors": []}
    return Ended(refused=[other["accessToken"]], kept=[account["accessToken"]])


async def _reset_password(d: Deps) -> Ended:
    account = await new_account(d.http)
    await call(d.http, REQUEST_RESET, {"e": account["email"]})
    token = link_token(await d.mailbox.wait_for(account["email"]))
    reset = (await call(d.http, RESET, {"i": {"token": token, "newPassword": "a new long secret"}}))["data"]
    assert reset["resetPassword"]["errors"] == []
    return Ended(refused=[account["accessToken"]], kept=[reset["resetPassword"]["accessToken"]])


async def _admin_change(d: Deps, mutation: str) -> Ended:
    admin, _ = await account_with_role(d.http, d.stores, "admin")
    target = await new_account(d.http)
    target_id = to_global_id("User", user_id_of(target["accessToken"]))
    body = await call(d.http, mutation, {"id": target_id}, token=admin)
    assert next(iter(body["data"].values()))["errors"] == []
    return Ended(refused=[target["accessToken"]], kept=[admin])


async def _set_user_role(d: Deps) -> Ended:
    return await _admin_change(d, SET_ROLE)


async def _set_user_disabled(d: Deps) -> Ended:
    return await _admin_change(d, DISABLE)


ENDINGS: dict[str, Callable[[Deps], Awaitable[Ended]]] = {
    "logout": _logout,
    "logoutEverywhere": _logout_everywhere,
    "refreshTokenReuse": _refresh_token_reuse,
    "changePassword": _change_password,
    "resetPassword": _reset_password,
    "setUserRole": _set_user_role,
    "setUserDisabled": _set_user_disabled,
}


# ----- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("end", ENDINGS.values(), ids=ENDINGS.keys())
async def test_an_ended_session_stays_ended_after_redis_restarts(
    end: Callable[[Deps], Awaitable[Ended]],
    http: httpx.AsyncClient,
    stores: StoreAccess,
    mailbox: Mailbox,
    redis_server: EmbeddedRedis,
    redis_client: redis.Redis,
) -> None:
    ended = await end(Deps(http, stores, mailbox))
    for token in ended.refused:
        assert not await is_signed_in(http, token)

    _restart(redis_server, redis_client, ended.refused + ended.kept)

    for token in ended.refused:
        assert not await is_signed_in(http, token)
        # PostgreSQL answered, and Redis now remembers the answer.
        assert _session_keys(redis_client, token) == {REVOKED_SESSION}
        assert not await is_signed_in(http, token)
    for token in ended.kept:
        assert await is_signed_in(http, token)


async def test_a_live_session_keeps_working_after_redis_restarts(
    http: httpx.AsyncClient, redis_server: EmbeddedRedis, redis_client: redis.Redis
) -> None:
    account = await new_account(http)
    assert _session_keys(redis_client, account["accessToken"]) == {ALIVE_SESSION}

    _restart(redis_server, redis_client, [account["accessToken"]])

    assert await is_signed_in(http, account["accessToken"])
    assert _session_keys(redis_client, account["accessToken"]) == {ALIVE_SESSION}
    ttl = redis_client.ttl(f"{ALIVE_SESSION}:{_session_id(account['accessToken'])}")
    assert 0 < int(ttl) <= SESSION_ALIVE_TTL_SECONDS
    # The refresh token, kept in PostgreSQL, still works too.
    refreshed = (await call(http, REFRESH, {"t": account["refreshToken"]}))["data"]["refreshSession"]
    assert refreshed["errors"] == []
    assert await is_signed_in(http, refreshed["accessToken"])


async def test_with_redis_unreachable_postgresql_decides(
    gateway_factory: GatewayFactory, redis_server: EmbeddedRedis
) -> None:
    # Without Redis the rate limiter cannot run; this gateway leaves it out to reach the session check.
    gateway = gateway_factory(rate_limit_enabled=False)
    async with httpx.AsyncClient(base_url=gateway.url, timeout=60) as client:
        ended = await new_account(client)
        await call(client, f"mutation {{ logout {{ {RESULT} }} }}", token=ended["accessToken"])
        live = await new_account(client)
        redis_server.crash()
        try:
            assert not await is_signed_in(client, ended["accessToken"])
            assert await is_signed_in(client, live["accessToken"])
        finally:
            redis_server.restart()
