"""Refresh-token sessions: rotation, reuse detection, devices, sign-out, password change."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from learnhub.datasources.postgres.tables import refresh_tokens
from tests.support.accounts import PASSWORD, REFRESH, RESULT, call, is_signed_in, login, new_account
from tests.support.data import StoreAccess, user_id_of

SESSIONS = "{ mySessions { id userAgent createdAt lastUsedAt expiresAt current } }"


async def test_refresh_rotates_and_the_new_pair_works(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    first = (await call(http, REFRESH, {"t": account["refreshToken"]}))["data"]["refreshSession"]
    assert first["errors"] == []
    assert first["refreshToken"] != account["refreshToken"]
    assert await is_signed_in(http, first["accessToken"])
    second = (await call(http, REFRESH, {"t": first["refreshToken"]}))["data"]["refreshSession"]
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
    rotated = (await call(http, REFRESH, {"t": stolen}))["data"]["refreshSession"]
    assert await is_signed_in(http, rotated["accessToken"])

    reuse = (await call(http, REFRESH, {"t": stolen}))["data"]["refreshSession"]
    assert [e["code"] for e in reuse["errors"]] == ["TOKEN_REUSED"]
    assert reuse["accessToken"] is None
    # The legitimate holder's newer tokens die with the family, access token included.
    assert not await is_signed_in(http, rotated["accessToken"])
    after = (await call(http, REFRESH, {"t": rotated["refreshToken"]}))["data"]["refreshSession"]
    assert [e["code"] for e in after["errors"]] == ["INVALID_TOKEN"]


async def test_unknown_refresh_token_is_refused(http: httpx.AsyncClient) -> None:
    for token in ["", "nonsense", "x" * 5000]:
        payload = (await call(http, REFRESH, {"t": token}))["data"]["refreshSession"]
        assert [e["code"] for e in payload["errors"]] == ["INVALID_TOKEN"]


async def test_two_simultaneous_refreshes_yield_at_most_one_session(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    results = await asyncio.gather(*(call(http, REFRESH, {"t": account["refreshToken"]}) for _ in range(2)))
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
    sessions = (await call(http, SESSIONS, token=account["accessToken"]))["data"]["mySessions"]
    assert [s["userAgent"] for s in sessions] == ["Phone/2.0", "Laptop/1.0"]
    assert [s["current"] for s in sessions] == [False, True]

    revoke = f"mutation($id: ID!) {{ revokeSession(id: $id) {{ {RESULT} }} }}"
    done = await call(http, revoke, {"id": sessions[0]["id"]}, token=account["accessToken"])
    assert done["data"]["revokeSession"] == {"ok": True, "errors": []}
    assert not await is_signed_in(http, phone["accessToken"])
    assert await is_signed_in(http, account["accessToken"])
    refused = (await call(http, REFRESH, {"t": phone["refreshToken"]}))["data"]["refreshSession"]
    assert [e["code"] for e in refused["errors"]] == ["INVALID_TOKEN"]

    # Another user's session id is not found, not revoked.
    other = await new_account(http)
    again = await call(http, revoke, {"id": sessions[1]["id"]}, token=other["accessToken"])
    assert again["data"]["revokeSession"]["errors"][0]["code"] == "NOT_FOUND"
    assert await is_signed_in(http, account["accessToken"])


async def test_logout_ends_only_this_session(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    other = await login(http, account["email"])
    body = await call(http, f"mutation {{ logout {{ {RESULT} }} }}", token=account["accessToken"])
    assert body["data"]["logout"]["ok"] is True
    assert not await is_signed_in(http, account["accessToken"])
    assert await is_signed_in(http, other["accessToken"])


async def test_logout_everywhere(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    account = await new_account(http)
    devices = [await login(http, account["email"]) for _ in range(2)]
    body = await call(http, f"mutation {{ logoutEverywhere {{ {RESULT} }} }}", token=devices[0]["accessToken"])
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
    change = f"mutation($i: ChangePasswordInput!) {{ changePassword(input: $i) {{ {RESULT} }} }}"

    wrong = await call(
        http,
        change,
        {"i": {"currentPassword": "nope nope", "newPassword": "a new long secret"}},
        token=account["accessToken"],
    )
    assert wrong["data"]["changePassword"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    weak = await call(
        http, change, {"i": {"currentPassword": PASSWORD, "newPassword": "password1"}}, token=account["accessToken"]
    )
    assert weak["data"]["changePassword"]["errors"][0]["code"] == "PASSWORD_TOO_COMMON"
    assert await is_signed_in(http, other["accessToken"])

    done = await call(
        http,
        change,
        {"i": {"currentPassword": PASSWORD, "newPassword": "a new long secret"}},
        token=account["accessToken"],
    )
    assert done["data"]["changePassword"] == {"ok": True, "errors": []}
    assert await is_signed_in(http, account["accessToken"])
    assert not await is_signed_in(http, other["accessToken"])
    assert (await login(http, account["email"]))["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert (await login(http, account["email"], "a new long secret"))["errors"] == []


async def test_session_mutations_need_a_signed_in_viewer(http: httpx.AsyncClient) -> None:
    for mutation in ("logout", "logoutEverywhere"):
        body = await call(http, f"mutation {{ {mutation} {{ ok }} }}")
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await call(http, "{ mySessions { id } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
