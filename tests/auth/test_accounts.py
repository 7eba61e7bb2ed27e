"""Accounts: registering and signing in, the same answer for a wrong password and an unknown email,
and inputs bounded before any hashing or store call (over-long ones answer with the mutation's own
field errors, or BAD_USER_INPUT past the general bound, and cost next to nothing)."""

from __future__ import annotations

from typing import Any

import httpx

from learnhub.auth.accounts import MAX_EMAIL, MAX_TOKEN
from learnhub.auth.passwords import MAX_PASSWORD
from learnhub.graphql.execution.input_guard import MAX_STRING
from tests.support.accounts import (
    CHANGE_PASSWORD,
    LOGIN,
    PASSWORD,
    REFRESH,
    REGISTER,
    REQUEST_LINK,
    RESET,
    USE_LINK,
    new_account,
)
from tests.support.client import gql
from tests.support.data import register, unique

NO_ROUND_TRIPS = {"postgres": 0, "mongodb": 0}


def email_of_length(length: int) -> str:
    local = "a" * 64
    return f"{local}@{'b' * (length - len(local) - len('@.test'))}.test"


def errors_of(body: dict[str, Any], field: str) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in body["data"][field]["errors"]]


async def test_a_1_mb_email_is_refused_before_any_work(http: httpx.AsyncClient) -> None:
    """It went through the throttle, a PostgreSQL lookup and an Argon2 verification first."""
    email = email_of_length(990_000)
    body = await gql(http, LOGIN, {"i": {"email": email, "password": PASSWORD}}, expect_errors=True)
    assert [e["extensions"] for e in body["errors"]] == [{"code": "BAD_USER_INPUT", "limit": MAX_STRING}]
    assert "data" not in body
    assert body["extensions"]["roundTrips"] == NO_ROUND_TRIPS


async def test_login_refuses_an_over_long_email_or_password_unseen(http: httpx.AsyncClient) -> None:
    too_long_email = await gql(
        http, LOGIN, {"i": {"email": email_of_length(MAX_EMAIL + 1), "password": PASSWORD}}, expect_errors=True
    )
    assert errors_of(too_long_email, "login") == [("INVALID", "email")]
    assert too_long_email["extensions"]["roundTrips"] == NO_ROUND_TRIPS

    longest = await gql(
        http, LOGIN, {"i": {"email": email_of_length(MAX_EMAIL), "password": PASSWORD}}, expect_errors=True
    )
    assert errors_of(longest, "login") == [("INVALID_CREDENTIALS", None)]

    too_long_password = {"email": "someone@example.test", "password": "p" * (MAX_PASSWORD + 1)}
    body = await gql(http, LOGIN, {"i": too_long_password}, expect_errors=True)
    assert errors_of(body, "login") == [("PASSWORD_TOO_LONG", "password")]
    assert body["extensions"]["roundTrips"] == NO_ROUND_TRIPS


async def test_a_password_with_anything_appended_no_longer_signs_in(http: httpx.AsyncClient) -> None:
    """Sign-in used to cut the password at 128 characters, so any suffix to a 128-character password worked."""
    account = await new_account(http)
    longest = "Long passphrase " * 8
    assert len(longest) == MAX_PASSWORD
    changed = await gql(
        http,
        CHANGE_PASSWORD,
        {"i": {"currentPassword": PASSWORD, "newPassword": longest}},
        token=account["accessToken"],
        expect_errors=True,
    )
    assert changed["data"]["changePassword"] == {"ok": True, "errors": []}

    extended = await gql(http, LOGIN, {"i": {"email": account["email"], "password": longest + "!"}}, expect_errors=True)
    assert errors_of(extended, "login") == [("PASSWORD_TOO_LONG", "password")]
    signed_in = await gql(http, LOGIN, {"i": {"email": account["email"], "password": longest}}, expect_errors=True)
    assert errors_of(signed_in, "login") == []


async def test_register_and_mail_requests_bound_the_email(http: httpx.AsyncClient) -> None:
    email = email_of_length(MAX_EMAIL + 1)
    registered = await gql(
        http, REGISTER, {"i": {"email": email, "password": PASSWORD, "displayName": "A"}}, expect_errors=True
    )
    assert errors_of(registered, "register") == [("INVALID", "email")]
    requested = await gql(http, REQUEST_LINK, {"e": email}, expect_errors=True)
    assert errors_of(requested, "requestMagicLink") == [("INVALID", "email")]


async def test_change_password_bounds_both_passwords_before_reading_the_account(http: httpx.AsyncClient) -> None:
    account = await new_account(http)
    over = "p" * (MAX_PASSWORD + 1)
    body = await gql(
        http,
        CHANGE_PASSWORD,
        {"i": {"currentPassword": over, "newPassword": over}},
        token=account["accessToken"],
        expect_errors=True,
    )
    assert errors_of(body, "changePassword") == [
        ("PASSWORD_TOO_LONG", "currentPassword"),
        ("PASSWORD_TOO_LONG", "newPassword"),
    ]
    assert body["extensions"]["roundTrips"] == NO_ROUND_TRIPS


async def test_over_long_tokens_are_invalid_unseen(http: httpx.AsyncClient) -> None:
    token = "t" * (MAX_TOKEN + 1)
    refreshed = await gql(http, REFRESH, {"t": token}, expect_errors=True)
    assert errors_of(refreshed, "refreshSession") == [("INVALID_TOKEN", "refreshToken")]
    assert refreshed["extensions"]["roundTrips"] == NO_ROUND_TRIPS

    linked = await gql(http, USE_LINK, {"t": token}, expect_errors=True)
    assert errors_of(linked, "signInWithMagicLink") == [("INVALID_TOKEN", "token")]

    reset = await gql(http, RESET, {"i": {"token": token, "newPassword": "brand new secret"}}, expect_errors=True)
    assert errors_of(reset, "resetPassword") == [("INVALID_TOKEN", "token")]
    assert reset["extensions"]["roundTrips"] == NO_ROUND_TRIPS


async def test_reset_bounds_the_new_password_before_looking_up_the_token(http: httpx.AsyncClient) -> None:
    reset = await gql(http, RESET, {"i": {"token": "t", "newPassword": "p" * (MAX_PASSWORD + 1)}}, expect_errors=True)
    assert errors_of(reset, "resetPassword") == [("PASSWORD_TOO_LONG", "newPassword")]


# --- registering and signing in -------------------------------------------------------------------
# Registering and signing in; a wrong password and an unknown email look the same.


PROFILE = "{ me { email displayName role profile { timezone } } }"
SIGN_IN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    accessToken expiresIn user { displayName } errors { code field }
  }
}
"""
REGISTER_FIELDS = """
mutation($input: RegisterInput!) { register(input: $input) { accessToken errors { field code message } } }
"""


async def test_register_then_login_then_me(http: httpx.AsyncClient) -> None:
    token, email = await register(http, name="Ada")
    me = (await gql(http, PROFILE, token=token))["data"]["me"]
    assert me == {"email": email, "displayName": "Ada", "role": "STUDENT", "profile": {"timezone": "UTC"}}

    login = (await gql(http, SIGN_IN, {"email": email.upper(), "password": "correct horse battery"}))["data"]["login"]
    assert login["errors"] == []
    assert login["expiresIn"] == 900
    assert (await gql(http, PROFILE, token=login["accessToken"]))["data"]["me"]["email"] == email


async def test_signed_out_me_is_null(http: httpx.AsyncClient) -> None:
    assert (await gql(http, PROFILE))["data"]["me"] is None


async def test_wrong_password_and_unknown_email_look_the_same(http: httpx.AsyncClient) -> None:
    _, email = await register(http)
    wrong = (await gql(http, SIGN_IN, {"email": email, "password": "wrong password!"}))["data"]["login"]
    unknown = await gql(http, SIGN_IN, {"email": f"{unique('nobody')}@example.test", "password": "whatever1"})
    assert (
        wrong
        == unknown["data"]["login"]
        == {
            "accessToken": None,
            "expiresIn": None,
            "user": None,
            "errors": [{"code": "INVALID_CREDENTIALS", "field": None}],
        }
    )


async def test_register_reports_each_bad_field(http: httpx.AsyncClient) -> None:
    body = await gql(
        http, REGISTER_FIELDS, {"input": {"email": "not-an-email", "password": "short", "displayName": " "}}
    )
    errors = body["data"]["register"]["errors"]
    assert {(e["field"], e["code"]) for e in errors} == {
        ("email", "INVALID"),
        ("password", "PASSWORD_TOO_SHORT"),
        ("displayName", "REQUIRED"),
    }
    assert body["data"]["register"]["accessToken"] is None


async def test_email_is_unique_whatever_its_case(http: httpx.AsyncClient) -> None:
    _, email = await register(http)
    body = await gql(
        http,
        REGISTER_FIELDS,
        {"input": {"email": email.upper(), "password": "another good one", "displayName": "Twin"}},
    )
    assert body["data"]["register"]["errors"][0]["code"] == "EMAIL_TAKEN"
