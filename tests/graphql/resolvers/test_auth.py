"""Registering, signing in, and what a token does and does not open."""

from __future__ import annotations

import httpx

from tests.support.client import gql
from tests.support.data import register, unique

ME = "{ me { email displayName role profile { timezone } } }"
LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    accessToken expiresIn user { displayName } errors { code field }
  }
}
"""
REGISTER = """
mutation($input: RegisterInput!) { register(input: $input) { accessToken errors { field code message } } }
"""


async def test_register_then_login_then_me(http: httpx.AsyncClient) -> None:
    token, email = await register(http, name="Ada")
    me = (await gql(http, ME, token=token))["data"]["me"]
    assert me == {"email": email, "displayName": "Ada", "role": "STUDENT", "profile": {"timezone": "UTC"}}

    login = (await gql(http, LOGIN, {"email": email.upper(), "password": "correct horse battery"}))["data"]["login"]
    assert login["errors"] == []
    assert login["expiresIn"] == 900
    assert (await gql(http, ME, token=login["accessToken"]))["data"]["me"]["email"] == email


async def test_signed_out_me_is_null(http: httpx.AsyncClient) -> None:
    assert (await gql(http, ME))["data"]["me"] is None


async def test_a_bad_token_is_unauthenticated_not_anonymous(http: httpx.AsyncClient) -> None:
    body = await gql(http, ME, token="not.a.token", expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["data"]["me"] is None


async def test_wrong_password_and_unknown_email_look_the_same(http: httpx.AsyncClient) -> None:
    _, email = await register(http)
    wrong = (await gql(http, LOGIN, {"email": email, "password": "wrong password!"}))["data"]["login"]
    unknown = await gql(http, LOGIN, {"email": f"{unique('nobody')}@example.test", "password": "whatever1"})
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
    body = await gql(http, REGISTER, {"input": {"email": "not-an-email", "password": "short", "displayName": " "}})
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
        http, REGISTER, {"input": {"email": email.upper(), "password": "another good one", "displayName": "Twin"}}
    )
    assert body["data"]["register"]["errors"][0]["code"] == "EMAIL_TAKEN"


async def test_another_users_lists_are_forbidden_through_node(http: httpx.AsyncClient) -> None:
    token_a, _ = await register(http)
    token_b, _ = await register(http)
    me_a = (await gql(http, "{ me { id } }", token=token_a))["data"]["me"]["id"]
    body = await gql(http, "query($id: ID!) { node(id: $id) { id } }", {"id": me_a}, token=token_b, expect_errors=True)
    # Another user's account reads as an unknown id does.
    assert body["data"]["node"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
