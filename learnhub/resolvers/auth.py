"""Registering and signing in with email and password."""

from __future__ import annotations

import re
import uuid

from learnhub.auth.passwords import hash_password, verify_password
from learnhub.auth.tokens import issue_access_token
from learnhub.context import Info
from learnhub.datasources.postgres import users
from learnhub.schema.auth import AccountError, AccountErrorCode, AuthPayload, LoginInput, RegisterInput
from learnhub.schema.users import User

MIN_PASSWORD = 8
MAX_PASSWORD = 128  # Argon2 takes any length; the bound keeps one request's hashing cost fixed.
MAX_DISPLAY_NAME = 100
# Deliberately loose: one @, a dot in the domain, no spaces. Deliverability is the mail server's call.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def _register_errors(data: RegisterInput) -> list[AccountError]:
    errors: list[AccountError] = []
    email = data.email.strip()
    if not email:
        errors.append(AccountError(field="email", message="Enter an email address", code=AccountErrorCode.REQUIRED))
    elif len(email) > 320 or not _EMAIL.match(email):
        errors.append(AccountError(field="email", message="Enter a valid email address", code=AccountErrorCode.INVALID))
    if len(data.password) < MIN_PASSWORD:
        errors.append(
            AccountError(
                field="password",
                message=f"Use at least {MIN_PASSWORD} characters",
                code=AccountErrorCode.PASSWORD_TOO_SHORT,
            )
        )
    elif len(data.password) > MAX_PASSWORD:
        errors.append(
            AccountError(
                field="password",
                message=f"Use at most {MAX_PASSWORD} characters",
                code=AccountErrorCode.PASSWORD_TOO_LONG,
            )
        )
    name = data.display_name.strip()
    if not name:
        errors.append(AccountError(field="displayName", message="Enter a display name", code=AccountErrorCode.REQUIRED))
    elif len(name) > MAX_DISPLAY_NAME:
        errors.append(
            AccountError(
                field="displayName", message=f"Use at most {MAX_DISPLAY_NAME} characters", code=AccountErrorCode.INVALID
            )
        )
    return errors


async def _signed_in(info: Info, user_id: uuid.UUID) -> AuthPayload:
    row = await info.context.loaders.user_by_id.load(user_id)
    assert row is not None
    settings = info.context.settings
    return AuthPayload(
        access_token=issue_access_token(settings, user_id, row["role"]),
        expires_in=settings.access_token_ttl_seconds,
        user=User.from_row(row),
    )


async def register(info: Info, data: RegisterInput) -> AuthPayload:
    if errors := _register_errors(data):
        return AuthPayload(errors=errors)
    try:
        user_id = await users.create_user(
            info.context.stores.engine,
            email=data.email,
            password_hash=await hash_password(data.password),
            display_name=data.display_name.strip(),
        )
    except users.EmailTaken:
        return AuthPayload(
            errors=[
                AccountError(
                    field="email",
                    message="An account with this email already exists",
                    code=AccountErrorCode.EMAIL_TAKEN,
                )
            ]
        )
    return await _signed_in(info, user_id)


async def login(info: Info, data: LoginInput) -> AuthPayload:
    row = await users.credentials_by_email(info.context.stores.engine, data.email[:320])
    # Same work and same answer for an unknown email and a wrong password.
    if not await verify_password(row["password_hash"] if row else None, data.password[:MAX_PASSWORD]) or row is None:
        return AuthPayload(
            errors=[
                AccountError(
                    field=None, message="Email or password is incorrect", code=AccountErrorCode.INVALID_CREDENTIALS
                )
            ]
        )
    return await _signed_in(info, row["id"])
