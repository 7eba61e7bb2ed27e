"""Refresh-token sessions: rotation, reuse detection, devices, sign-out, password change, and ended
sessions that stay ended when Redis loses its data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import httpx
import jwt
import pytest
import redis
from sqlalchemy import func, select

from learnhub.auth.sessions import SESSION_ALIVE_TTL_SECONDS
from learnhub.datasources.postgres.tables import refresh_tokens
from learnhub.datasources.redis import ALIVE_SESSION, REVOKED_SESSION
from learnhub.embedded import EmbeddedCluster
from learnhub.embedded.redis import EmbeddedRedis
from learnhub.graphql.relay.node import to_global_id
from tests.support.accounts import (
    CHANGE_PASSWORD,
    PASSWORD,
    REFRESH,
    REQUEST_RESET,
    RESET,
    RESULT,
    is_signed_in,
    login,
    new_account,
)
from tests.support.client import gql
from tests.support.data import StoreAccess, user_id_of
from tests.support.mail import Mailbox, link_token
from tests.support.servers import GatewayFactory
from tests.support.world import account_with_role

SESSIONS = "{ mySessions { id userAgent createdAt lastUsedAt expiresAt current } }"


async def test_refresh_rotates_and_the_new_pair_works(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    first = (await gql(http, REFRESH, {"t": account["refreshToken"]}, expect_errors=True))["data"]["refreshSession"]
    assert first["errors"] == []
    assert first["refreshToken"] != account["refreshToken"]
    assert await is_signed_in(http, first["accessToken"])
    second = (await gql(http, REFRESH, {"t": first["refreshToken"]}, expect_errors=True))["data"]["refreshSession"]
    assert second["errors"] == []
    assert second["user"]["id"] == account["user"]["id"]


async def test_refresh_tokens_are_stored_only_as_hashes(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    account = await new_account(http)
    async with stores.engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    select(refresh_tokens.c.token_hash).where(
                        refresh_tokens.c.user_id == user_id_of(account["accessToken"])
                    )
                )
            )
            .scalars()
            .all()
        )
    assert len(rows) == 1
    assert account["refreshToken"] not in rows[0]
    assert len(rows[0]) == 64


async def test_reusing_a_rotated_token_revokes_the_whole_family(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    stolen = account["refreshToken"]
    rotated = (await gql(http, REFRESH, {"t": stolen}, expect_errors=True))["data"]["refreshSession"]
    assert await is_signed_in(http, rotated["accessToken"])

    reuse = (await gql(http, REFRESH, {"t": stolen}, expect_errors=True))["data"]["refreshSession"]
    assert [e["code"] for e in reuse["errors"]] == ["TOKEN_REUSED"]
    assert reuse["accessToken"] is None
    # The legitimate holder's newer tokens die with the family, access token included.
    assert not await is_signed_in(http, rotated["accessToken"])
    after = (await gql(http, REFRESH, {"t": rotated["refreshToken"]}, expect_errors=True))["data"]["refreshSession"]
    assert [e["code"] for e in after["errors"]] == ["INVALID_TOKEN"]


async def test_unknown_refresh_token_is_refused(http: httpx.AsyncClient) -> None:
    for token in ["", "nonsense", "x" * 5000]:
        payload = (await gql(http, REFRESH, {"t": token}, expect_errors=True))["data"]["refreshSession"]
        assert [e["code"] for e in payload["errors"]] == ["INVALID_TOKEN"]


async def test_two_simultaneous_refreshes_yield_at_most_one_session(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    results = await asyncio.gather(
        *(gql(http, REFRESH, {"t": account["refreshToken"]}, expect_errors=True) for _ in range(2))
    )
    payloads = [r["data"]["refreshSession"] for r in results]
    succeeded = [p for p in payloads if not p["errors"]]
    assert len(succeeded) <= 1
    assert sorted(e["code"] for p in payloads for e in p["errors"]) in (
        ["TOKEN_REUSED"],
        ["INVALID_TOKEN", "TOKEN_REUSED"],
    )


async def test_sessions_list_devices_and_revoke_one(http: httpx.AsyncClient) -> None:
    account = await new_account(http, agent="Laptop/1.0")
    phone = await login(http, account["email"], agent="Phone/2.0")
    sessions = (await gql(http, SESSIONS, token=account["accessToken"], expect_errors=True))["data"]["mySessions"]
    assert [s["userAgent"] for s in sessions] == ["Phone/2.0", "Laptop/1.0"]
    assert [s["current"] for s in sessions] == [False, True]

    revoke = f"mutation($id: ID!) {{ revokeSession(id: $id) {{ {RESULT} }} }}"
    done = await gql(http, revoke, {"id": sessions[0]["id"]}, token=account["accessToken"], expect_errors=True)
    assert done["data"]["revokeSession"] == {"ok": True, "errors": []}
    assert not await is_signed_in(http, phone["accessToken"])
    assert await is_signed_in(http, account["accessToken"])
    refused = (await gql(http, REFRESH, {"t": phone["refreshToken"]}, expect_errors=True))["data"]["refreshSession"]
    assert [e["code"] for e in refused["errors"]] == ["INVALID_TOKEN"]

    # Another user's session id is not found, not revoked.
    other = await new_account(http)
    again = await gql(http, revoke, {"id": sessions[1]["id"]}, token=other["accessToken"], expect_errors=True)
    assert again["data"]["revokeSession"]["errors"][0]["code"] == "NOT_FOUND"
    assert await is_signed_in(http, account["accessToken"])


async def test_logout_ends_only_this_session(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    other = await login(http, account["email"])
    body = await gql(http, f"mutation {{ logout {{ {RESULT} }} }}", token=account["accessToken"], expect_errors=True)
    assert body["data"]["logout"]["ok"] is True
    assert not await is_signed_in(http, account["accessToken"])
    assert await is_signed_in(http, other["accessToken"])


async def test_logout_everywhere(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    account = await new_account(http)
    devices = [await login(http, account["email"]) for _ in range(2)]
    body = await gql(
        http, f"mutation {{ logoutEverywhere {{ {RESULT} }} }}", token=devices[0]["accessToken"], expect_errors=True
    )
    assert body["data"]["logoutEverywhere"]["ok"] is True
    for session in [account, *devices]:
        assert not await is_signed_in(http, session["accessToken"])
    async with stores.engine.connect() as conn:
        live = await conn.scalar(
            select(func.count()).where(
                refresh_tokens.c.user_id == user_id_of(account["accessToken"]), refresh_tokens.c.revoked_at.is_(None)
            )
        )
    assert live == 0


async def test_change_password_keeps_this_session_and_ends_the_others(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    other = await login(http, account["email"])

    wrong = await gql(
        http,
        CHANGE_PASSWORD,
        {"i": {"currentPassword": "nope nope", "newPassword": "a new long secret"}},
        token=account["accessToken"],
        expect_errors=True,
    )
    assert wrong["data"]["changePassword"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    weak = await gql(
        http,
        CHANGE_PASSWORD,
        {"i": {"currentPassword": PASSWORD, "newPassword": "password1"}},
        token=account["accessToken"],
        expect_errors=True,
    )
    assert weak["data"]["changePassword"]["errors"][0]["code"] == "PASSWORD_TOO_COMMON"
    assert await is_signed_in(http, other["accessToken"])

    done = await gql(
        http,
        CHANGE_PASSWORD,
        {"i": {"currentPassword": PASSWORD, "newPassword": "a new long secret"}},
        token=account["accessToken"],
        expect_errors=True,
    )
    assert done["data"]["changePassword"] == {"ok": True, "errors": []}
    assert await is_signed_in(http, account["accessToken"])
    assert not await is_signed_in(http, other["accessToken"])
    assert (await login(http, account["email"]))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login(http, account["email"], "a new long secret"))["errors"] == []


async def test_session_mutations_need_a_signed_in_viewer(http: httpx.AsyncClient) -> None:
    for mutation in ("logout", "logoutEverywhere"):
        body = await gql(http, f"mutation {{ {mutation} {{ ok }} }}", expect_errors=True)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await gql(http, "{ mySessions { id } }", expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- after Redis loses its data -------------------------------------------------------------------
# Ended sessions stay ended when Redis loses its data: PostgreSQL decides, Redis only caches.
#
# These tests crash the session-wide Redis (it keeps nothing, as in production) and start it
# again on the same port; every gateway reconnects on its own, so later tests find it usable.


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
    body = await gql(d.http, f"mutation {{ logout {{ {RESULT} }} }}", token=account["accessToken"], expect_errors=True)
    assert body["data"]["logout"]["ok"] is True
    return Ended(refused=[account["accessToken"]], kept=[other["accessToken"]])


async def _logout_everywhere(d: Deps) -> Ended:
    account = await new_account(d.http)
    device = await login(d.http, account["email"])
    body = await gql(
        d.http, f"mutation {{ logoutEverywhere {{ {RESULT} }} }}", token=device["accessToken"], expect_errors=True
    )
    assert body["data"]["logoutEverywhere"]["ok"] is True
    return Ended(refused=[account["accessToken"], device["accessToken"]], kept=[])


async def _refresh_token_reuse(d: Deps) -> Ended:
    account = await new_account(d.http)
    rotated = (await gql(d.http, REFRESH, {"t": account["refreshToken"]}, expect_errors=True))["data"]["refreshSession"]
    reuse = (await gql(d.http, REFRESH, {"t": account["refreshToken"]}, expect_errors=True))["data"]["refreshSession"]
    assert [e["code"] for e in reuse["errors"]] == ["TOKEN_REUSED"]
    return Ended(refused=[account["accessToken"], rotated["accessToken"]], kept=[])


async def _change_password(d: Deps) -> Ended:
    account = await new_account(d.http)
    other = await login(d.http, account["email"])
    new = {"currentPassword": PASSWORD, "newPassword": "a new long secret"}
    body = await gql(d.http, CHANGE_PASSWORD, {"i": new}, token=account["accessToken"], expect_errors=True)
    assert body["data"]["changePassword"] == {"ok": True, "errors": []}
    return Ended(refused=[other["accessToken"]], kept=[account["accessToken"]])


async def _reset_password(d: Deps) -> Ended:
    account = await new_account(d.http)
    await gql(d.http, REQUEST_RESET, {"e": account["email"]}, expect_errors=True)
    token = link_token(await d.mailbox.wait_for(account["email"]))
    reset = (await gql(d.http, RESET, {"i": {"token": token, "newPassword": "a new long secret"}}, expect_errors=True))[
        "data"
    ]
    assert reset["resetPassword"]["errors"] == []
    return Ended(refused=[account["accessToken"]], kept=[reset["resetPassword"]["accessToken"]])


async def _admin_change(d: Deps, mutation: str) -> Ended:
    admin, _ = await account_with_role(d.http, d.stores, "admin")
    target = await new_account(d.http)
    target_id = to_global_id("User", user_id_of(target["accessToken"]))
    body = await gql(d.http, mutation, {"id": target_id}, token=admin, expect_errors=True)
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
    refreshed = (await gql(http, REFRESH, {"t": account["refreshToken"]}, expect_errors=True))["data"]["refreshSession"]
    assert refreshed["errors"] == []
    assert await is_signed_in(http, refreshed["accessToken"])


async def test_with_redis_unreachable_postgresql_decides(
    gateway_factory: GatewayFactory, redis_server: EmbeddedRedis
) -> None:
    # Without Redis the rate limiter cannot run; this gateway leaves it out to reach the session check.
    gateway = gateway_factory(rate_limit_enabled=False)
    async with httpx.AsyncClient(base_url=gateway.url, timeout=60) as client:
        ended = await new_account(client)
        await gql(client, f"mutation {{ logout {{ {RESULT} }} }}", token=ended["accessToken"], expect_errors=True)
        live = await new_account(client)
        redis_server.crash()
        try:
            assert not await is_signed_in(client, ended["accessToken"])
            assert await is_signed_in(client, live["accessToken"])
        finally:
            redis_server.restart()
