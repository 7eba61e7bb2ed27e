"""Sign-up and sign-in: inputs, payloads and their typed errors."""

from __future__ import annotations

from enum import Enum

import strawberry

from learnhub.schema.users import User


@strawberry.enum(description="Why an account operation failed; stable across releases.")
class AccountErrorCode(Enum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"


@strawberry.type
class AccountError:
    field: str | None = strawberry.field(description="The input field at fault, when one is.")
    message: str
    code: AccountErrorCode


@strawberry.input
class RegisterInput:
    email: str
    password: str = strawberry.field(description="8 to 128 characters.")
    display_name: str = strawberry.field(description="1 to 100 characters.")


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type(description="On success `accessToken` and `user` are set and `errors` is empty.")
class AuthPayload:
    access_token: str | None = None
    token_type: str = "Bearer"
    expires_in: int | None = strawberry.field(default=None, description="Seconds until the token expires.")
    user: User | None = None
    errors: list[AccountError] = strawberry.field(default_factory=list)
