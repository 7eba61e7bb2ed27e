"""Accounts and sessions: register, sign in (password or link), refresh, sign out, passwords."""

from __future__ import annotations

import math
import re
import uuid
from typing import Annotated

import strawberry

from learnhub.auth import recovery, sessions, throttle
from learnhub.auth.passwords import MAX_PASSWORD, hash_password, password_problems, verify_password
from learnhub.datasources.postgres import users
from learnhub.datasources.postgres.sessions import Refresh, active_sessions
from learnhub.datasources.ratelimit import Verdict
from learnhub.graphql.context import Info
from learnhub.graphql.relay.node import expect_uuid, to_global_id
from learnhub.graphql.types.auth import (
    AccountError,
    AccountErrorCode,
    AccountResult,
    AuthPayload,
    ChangePasswordInput,
    LoginInput,
    RegisterInput,
    ResetPasswordInput,
    Session,
)
from learnhub.graphql.types.users import User

MAX_DISPLAY_NAME = 100
# RFC 5321 section 4.5.3.1.3: a forward path is at most 256 octets, the angle brackets included.
MAX_EMAIL = 254
# The tokens we issue are 36 characters (sign-in and reset links: a UUID) and 43 (refresh tokens:
# token_urlsafe(32)). 256 leaves room for a longer format; anything longer is refused unseen,
# before it is hashed or looked up.
MAX_TOKEN = 256
# Deliberately loose: one @, a dot in the domain, no spaces. Deliverability is the mail server's call.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")

_INVALID_LINK = "This link is invalid, used or expired; ask for a new one"


def _error(code: AccountErrorCode, message: str, field: str | None = None) -> AccountError:
    return AccountError(field=field, message=message, code=code)


def _over_long(
    field: str, value: str, limit: int, code: AccountErrorCode = AccountErrorCode.INVALID
) -> list[AccountError]:
    """Checked before any hashing or store call, so what a request costs does not grow with its input."""
    return [_error(code, f"Use at most {limit} characters", field)] if len(value) > limit else []


def _password_too_long(field: str, password: str) -> list[AccountError]:
    return _over_long(field, password, MAX_PASSWORD, AccountErrorCode.PASSWORD_TOO_LONG)


def _password_errors(password: str, email: str, field: str) -> list[AccountError]:
    return [_error(AccountErrorCode(code), message, field) for code, message in password_problems(password, email)]


def _too_many(verdict: Verdict) -> AccountError:
    minutes = math.ceil(verdict.retry_after_seconds / 60)
    return AccountError(
        field=None,
        message=f"Too many attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        code=AccountErrorCode.TOO_MANY_ATTEMPTS,
        retry_after_seconds=verdict.retry_after_seconds,
    )


def _email_errors(email: str) -> list[AccountError]:
    if not email:
        return [_error(AccountErrorCode.REQUIRED, "Enter an email address", "email")]
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        return [_error(AccountErrorCode.INVALID, "Enter a valid email address", "email")]
    return []


def _register_errors(data: RegisterInput) -> list[AccountError]:
    email = data.email.strip()
    errors = _email_errors(email) + _password_errors(data.password, email, "password")
    name = data.display_name.strip()
    if not name:
        errors.append(_error(AccountErrorCode.REQUIRED, "Enter a display name", "displayName"))
    elif len(name) > MAX_DISPLAY_NAME:
        errors.append(_error(AccountErrorCode.INVALID, f"Use at most {MAX_DISPLAY_NAME} characters", "displayName"))
    return errors


def _session_ended() -> AuthPayload:
    return AuthPayload(
        errors=[_error(AccountErrorCode.INVALID_TOKEN, "The session has ended; sign in again", "refreshToken")]
    )


async def _signed_in(info: Info, user_id: uuid.UUID, role: str) -> AuthPayload:
    ctx = info.context
    session = await sessions.sign_in(ctx.stores, user_id, role, ctx.device)
    row = await ctx.loaders.user_by_id.load(user_id)
    assert row is not None
    return AuthPayload(
        access_token=session.access_token,
        expires_in=ctx.settings.access_token_ttl_seconds,
        refresh_token=session.refresh_token,
        refresh_token_expires_at=session.refresh_expires_at,
        user=User.from_row(row),
    )


async def register(info: Info, data: Annotated[RegisterInput, strawberry.argument(name="input")]) -> AuthPayload:
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
            errors=[_error(AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists", "email")]
        )
    return await _signed_in(info, user_id, "student")


async def login(info: Info, data: Annotated[LoginInput, strawberry.argument(name="input")]) -> AuthPayload:
    ctx = info.context
    email = data.email.strip()
    if errors := _over_long("email", email, MAX_EMAIL) + _password_too_long("password", data.password):
        return AuthPayload(errors=errors)
    verdict = await throttle.login_allowed(ctx.stores, email, ctx.device.ip)
    if not verdict.allowed:
        return AuthPayload(errors=[_too_many(verdict)])
    row = await users.credentials_by_email(ctx.stores.engine, email)
    # Same work and same answer for an unknown email and a wrong password.
    if not await verify_password(row["password_hash"] if row else None, data.password) or row is None:
        await throttle.login_failed(ctx.stores, email, ctx.device.ip)
        return AuthPayload(errors=[_error(AccountErrorCode.INVALID_CREDENTIALS, "Email or password is incorrect")])
    if row["disabled_at"] is not None:
        return AuthPayload(errors=[_error(AccountErrorCode.ACCOUNT_DISABLED, "This account is disabled")])
    return await _signed_in(info, row["id"], row["role"])


async def refresh_session(info: Info, refresh_token: str) -> AuthPayload:
    ctx = info.context
    if len(refresh_token) > MAX_TOKEN:
        return _session_ended()
    outcome = await sessions.refresh(ctx.stores, refresh_token, ctx.device)
    if outcome is Refresh.REUSED:
        return AuthPayload(
            errors=[
                _error(
                    AccountErrorCode.TOKEN_REUSED,
                    "This refresh token was already used; the session has been ended to protect the account",
                    "refreshToken",
                )
            ]
        )
    if isinstance(outcome, Refresh):
        return _session_ended()
    row = await ctx.loaders.user_by_id.load(outcome.user_id)
    assert row is not None
    return AuthPayload(
        access_token=outcome.access_token,
        expires_in=ctx.settings.access_token_ttl_seconds,
        refresh_token=outcome.refresh_token,
        refresh_token_expires_at=outcome.refresh_expires_at,
        user=User.from_row(row),
    )


async def logout(info: Info) -> AccountResult:
    user_id = info.context.require_user()
    viewer = info.context.viewer
    assert viewer.session_id is not None
    await sessions.end_session(info.context.stores, user_id, uuid.UUID(viewer.session_id), "logout")
    return AccountResult(ok=True)


async def logout_everywhere(info: Info) -> AccountResult:
    user_id = info.context.require_user()
    await sessions.end_all_sessions(info.context.stores, user_id, "logout_everywhere")
    return AccountResult(ok=True)


async def my_sessions(info: Info) -> list[Session]:
    user_id = info.context.require_user()
    viewer = info.context.viewer
    rows = await active_sessions(info.context.stores.engine, user_id)
    return [
        Session(
            id=to_global_id("Session", row["family_id"]),
            user_agent=row["user_agent"],
            ip=row["ip"],
            created_at=row["family_created_at"],
            last_used_at=row["last_used_at"],
            expires_at=row["expires_at"],
            current=str(row["family_id"]) == viewer.session_id,
        )
        for row in rows
    ]


async def revoke_session(
    info: Info, session_id: Annotated[strawberry.ID, strawberry.argument(name="id")]
) -> AccountResult:
    user_id = info.context.require_user()
    family = expect_uuid(session_id, "Session")
    if not await sessions.end_session(info.context.stores, user_id, family, "revoked"):
        return AccountResult(ok=False, errors=[_error(AccountErrorCode.NOT_FOUND, "No such active session", "id")])
    return AccountResult(ok=True)


async def change_password(
    info: Info, data: Annotated[ChangePasswordInput, strawberry.argument(name="input")]
) -> AccountResult:
    ctx = info.context
    user_id = ctx.require_user()
    viewer = ctx.viewer
    passwords = _password_too_long("currentPassword", data.current_password)
    if errors := passwords + _password_too_long("newPassword", data.new_password):
        return AccountResult(ok=False, errors=errors)
    row = await users.credentials_by_id(ctx.stores.engine, user_id)
    verdict = await throttle.login_allowed(ctx.stores, row["email"] if row else "", ctx.device.ip)
    if not verdict.allowed:
        return AccountResult(ok=False, errors=[_too_many(verdict)])
    if row is None or not await verify_password(row["password_hash"], data.current_password):
        await throttle.login_failed(ctx.stores, row["email"] if row else "", ctx.device.ip)
        return AccountResult(
            ok=False,
            errors=[
                _error(AccountErrorCode.INVALID_CREDENTIALS, "The current password is incorrect", "currentPassword")
            ],
        )
    if errors := _password_errors(data.new_password, row["email"], "newPassword"):
        return AccountResult(ok=False, errors=errors)
    # Other devices may be the reason for the change: sign them out, keep this one.
    keep = uuid.UUID(viewer.session_id) if viewer.session_id else None
    new_hash = await hash_password(data.new_password)
    await sessions.set_password(ctx.stores, user_id, new_hash, "password_changed", keep=keep)
    return AccountResult(ok=True)


async def _mail_request(info: Info, email: str) -> tuple[str, AccountResult | None]:
    ctx = info.context
    email = email.strip()
    if errors := _email_errors(email):
        return email, AccountResult(ok=False, errors=errors)
    verdict = await throttle.mail_request_allowed(ctx.stores, email, ctx.device.ip)
    if not verdict.allowed:
        return email, AccountResult(ok=False, errors=[_too_many(verdict)])
    return email, None


async def request_magic_link(info: Info, email: str) -> AccountResult:
    email, refused = await _mail_request(info, email)
    if refused is not None:
        return refused
    await recovery.send_magic_link(info.context.stores, email)
    return AccountResult(ok=True)


async def sign_in_with_magic_link(info: Info, token: str) -> AuthPayload:
    ctx = info.context
    token = token.strip()
    user_id = await recovery.redeem_magic_link(ctx.stores, token) if len(token) <= MAX_TOKEN else None
    if user_id is None:
        return AuthPayload(errors=[_error(AccountErrorCode.INVALID_TOKEN, _INVALID_LINK, "token")])
    row = await ctx.loaders.user_by_id.load(user_id)
    assert row is not None
    return await _signed_in(info, user_id, row["role"])


async def request_password_reset(info: Info, email: str) -> AccountResult:
    email, refused = await _mail_request(info, email)
    if refused is not None:
        return refused
    await recovery.send_password_reset(info.context.stores, email)
    return AccountResult(ok=True)


async def reset_password(
    info: Info, data: Annotated[ResetPasswordInput, strawberry.argument(name="input")]
) -> AuthPayload:
    stores = info.context.stores
    if errors := _password_too_long("newPassword", data.new_password):
        return AuthPayload(errors=errors)
    token = data.token.strip()
    target = await recovery.password_reset_target(stores, token) if len(token) <= MAX_TOKEN else None
    if target is None:
        return AuthPayload(errors=[_error(AccountErrorCode.INVALID_TOKEN, _INVALID_LINK, "token")])
    user_id, email = target
    if errors := _password_errors(data.new_password, email, "newPassword"):
        return AuthPayload(errors=errors)
    if not await recovery.use_password_reset(stores, token):
        return AuthPayload(errors=[_error(AccountErrorCode.INVALID_TOKEN, _INVALID_LINK, "token")])
    # Whoever knew the old password may hold sessions: every one of them ends.
    await sessions.set_password(stores, user_id, await hash_password(data.new_password), "password_reset")
    row = await info.context.loaders.user_by_id.load(user_id)
    assert row is not None
    return await _signed_in(info, user_id, row["role"])
