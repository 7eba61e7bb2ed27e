"""Accounts and sessions: inputs, payloads and their typed errors."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from learnhub.graphql.types.users import User


@strawberry.enum(description="Why an account operation failed; stable across releases.")
class AccountErrorCode(Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    PASSWORD_TOO_COMMON = "PASSWORD_TOO_COMMON"
    PASSWORD_MATCHES_EMAIL = "PASSWORD_MATCHES_EMAIL"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED"
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS"
    INVALID_TOKEN = "INVALID_TOKEN"
    TOKEN_REUSED = "TOKEN_REUSED"
    NOT_FOUND = "NOT_FOUND"
    CANNOT_CHANGE_SELF = "CANNOT_CHANGE_SELF"


@strawberry.type
class AccountError:
    field: str | None = strawberry.field(description="The input field at fault, when one is.")
    message: str
    code: AccountErrorCode
    retry_after_seconds: int | None = strawberry.field(
        default=None, description="With TOO_MANY_ATTEMPTS: when to try again."
    )


@strawberry.input
class RegisterInput:
    email: str
    password: str = strawberry.field(description="8 to 128 characters, not a common password, not the email.")
    display_name: str = strawberry.field(description="1 to 100 characters.")


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class ResetPasswordInput:
    token: str = strawberry.field(description="The `token` parameter of the link in the reset mail.")
    new_password: str


@strawberry.type(description="On success the tokens and `user` are set and `errors` is empty.")
class AuthPayload:
    access_token: str | None = strawberry.field(default=None, description="Send as `Authorization: Bearer ...`.")
    token_type: str = "Bearer"
    expires_in: int | None = strawberry.field(default=None, description="Seconds until the access token expires.")
    refresh_token: str | None = strawberry.field(
        default=None,
        description="Exchange with `refreshSession` for a new pair; each works once. Store it securely.",
    )
    refresh_token_expires_at: datetime | None = None
    user: User | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.type(description="`ok` is true when the operation took effect; otherwise `errors` says why.")
class AccountResult:
    ok: bool
    errors: list[AccountError] = strawberry.field(default_factory=list)


@strawberry.type(description="A signed-in device: one refresh-token family.")
class Session:
    id: strawberry.ID
    user_agent: str
    ip: str
    created_at: datetime = strawberry.field(description="When this device signed in.")
    last_used_at: datetime = strawberry.field(description="When it last signed in or refreshed.")
    expires_at: datetime = strawberry.field(description="When it ends unless refreshed.")
    current: bool = strawberry.field(description="The session of the token making this request.")


@strawberry.type(description="The user with the new role or state, or `errors`.")
class UserAdminPayload:
    user: User | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)
