"""Account inputs are bounded before any hashing or store call: over-long ones answer with the
mutation's own field errors, or BAD_USER_INPUT past the general bound, and cost next to nothing."""

from __future__ import annotations

from typing import Any

import httpx

from learnhub.auth.accounts import MAX_EMAIL, MAX_TOKEN
from learnhub.auth.passwords import MAX_PASSWORD
from learnhub.graphql.execution.input_guard import MAX_STRING
from tests.auth.test_recovery import REQUEST_LINK, RESET, USE_LINK
from tests.support.accounts import LOGIN, PASSWORD, REFRESH, REGISTER, RESULT, call, new_account

CHANGE = f"mutation($i: ChangePasswordInput!) {{ changePassword(input: $i) {{ {RESULT} }} }}"
NO_ROUND_TRIPS = {"postgres": 0, "mongodb": 0}


def email_of_length(length: int) -> str:
    local = "a" * 64
    return f"{local}@{'b' * (length - len(local) - len('@.test'))}.test"


def errors_of(body: dict[str, Any], field: str) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in body["data"][field]["errors"]]


async def test_a_1_mb_email_is_refused_before_any_work(http: httpx.AsyncClient) -> None:
    """It went through the throttle, a PostgreSQL lookup and an Argon2 verification first."""
    email = email_of_length(990_000)
    body = await call(http, LOGIN, {"i": {"email": email, "password": PASSWORD}})
    assert [e["extensions"] for e in body["errors"]] == [{"code": "BAD_USER_INPUT", "limit": MAX_STRING}]
    assert "data" not in body
    assert body["extensions"]["roundTrips"] == NO_ROUND_TRIPS


async def test_login_refuses_an_over_long_email_or_password_unseen(http: httpx.AsyncClient) -> None:
    too_long_email = await call(http, LOGIN, {"i": {"email": email_of_length(MAX_EMAIL + 1), "password": PASSWORD}})
    assert errors_of(too_long_email, "login") == [("INVALID", "email")]
    assert too_long_email["extensions"]["roundTrips"] == NO_ROUND_TRIPS

    longest = await call(http, LOGIN, {"i": {"email": email_of_length(MAX_EMAIL), "password": PASSWORD}})
    assert errors_of(longest, "login") == [("INVALID_CREDENTIALS", None)]

    too_long_password = {"email": "someone@example.test", "password": "p" * (MAX_PASSWORD + 1)}
    body = await call(http, LOGIN, {"i": too_long_password})
    assert errors_of(body, "login") == [("PASSWORD_TOO_LONG", "password")]
    assert body["extensions"]["roundTrips"] == NO_ROUND_TRIPS


async def test_a_password_with_anything_appended_no_longer_signs_in(http: httpx.AsyncClient) -> None:
    """Sign-in used to cut the password at 128 characters, so any suffix to a 128-character password worked."""
    account = await new_account(http)
    longest = "Long passphrase " * 8
    assert len(longest) == MAX_PASSWORD
    changed = await call(
        http, CHANGE, {"i": {"currentPassword": PASSWORD, "newPassword": longest}}, token=account["accessToken"]
    )
    assert changed["data"]["changePassword"] == {"ok": True, "errors": []}

    extended = await call(http, LOGIN, {"i": {"email": account["email"], "password": longest + "!"}})
    assert errors_of(extended, "login") == [("PASSWORD_TOO_LONG", "password")]
    signed_in = await call(http, LOGIN, {"i": {"email": account["email"], "password": longest}})
    assert errors_of(signed_in, "login") == []


async def test_register_and_mail_requests_bound_the_email(http: httpx.AsyncClient) -> None:
    email = email_of_length(MAX_EMAIL + 1)
    registered = await call(http, REGISTER, {"i": {"email": email, "password": PASSWORD, "displayName": "A"}})
    assert errors_of(registered, "register") == [("INVALID", "email")]
    requested = await call(http, REQUEST_LINK, {"e": email})
    assert errors_of(requested, "requestMagicLink") == [("INVALID", "email")]


async def test_change_password_bounds_both_passwords_before_reading_the_account(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    over = "p" * (MAX_PASSWORD + 1)
    body = await call(http, CHANGE, {"i": {"currentPassword": over, "newPassword": over}}, token=account["accessToken"])
    assert errors_of(body, "changePassword") == [
        ("PASSWORD_TOO_LONG", "currentPassword"),
        ("PASSWORD_TOO_LONG", "newPassword"),
    ]
    assert body["extensions"]["roundTrips"] == NO_ROUND_TRIPS


async def test_over_long_tokens_are_invalid_unseen(http: httpx.AsyncClient) -> None:
    token = "t" * (MAX_TOKEN + 1)
    refreshed = await call(http, REFRESH, {"t": token})
    assert errors_of(refreshed, "refreshSession") == [("INVALID_TOKEN", "refreshToken")]
    assert refreshed["extensions"]["roundTrips"] == NO_ROUND_TRIPS

    linked = await call(http, USE_LINK, {"t": token})
    assert errors_of(linked, "signInWithMagicLink") == [("INVALID_TOKEN", "token")]

    reset = await call(http, RESET, {"i": {"token": token, "newPassword": "brand new secret"}})
    assert errors_of(reset, "resetPassword") == [("INVALID_TOKEN", "token")]
    assert reset["extensions"]["roundTrips"] == NO_ROUND_TRIPS


async def test_reset_bounds_the_new_password_before_looking_up_the_token(http: httpx.AsyncClient) -> None:
    reset = await call(http, RESET, {"i": {"token": "t", "newPassword": "p" * (MAX_PASSWORD + 1)}})
    assert errors_of(reset, "resetPassword") == [("PASSWORD_TOO_LONG", "newPassword")]
