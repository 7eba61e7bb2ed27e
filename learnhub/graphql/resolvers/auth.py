"""Accounts and sessions: register, sign in (password or link), refresh, sign out, passwords."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from learnhub.auth import accounts, recovery, sessions
from learnhub.auth.accounts import Refusal
from learnhub.auth.passwords import hash_password
from learnhub.datasources.postgres import users
from learnhub.datasources.postgres.sessions import Refresh, active_sessions
from learnhub.datasources.stores import Stores
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

_INVALID_LINK = "This link is invalid, used or expired; ask for a new one"


def _error(code: AccountErrorCode, message: str, field: str | None = None) -> AccountError:
    return AccountError(field=field, message=message, code=code)


def _errors(refusals: list[Refusal]) -> list[AccountError]:
    return [
        AccountError(
            field=r.field, message=r.message, code=AccountErrorCode(r.code), retry_after_seconds=r.retry_after_seconds
        )
        for r in refusals
    ]


def _session_ended() -> AuthPayload:
    return AuthPayload(
        errors=[_error(AccountErrorCode.INVALID_TOKEN, "The session has ended; sign in again", "refreshToken")]
    )


async def _signed_in(info: Info, user_id: uuid.UUID, role: str) -> AuthPayload:
    ctx = info.context
    return await _tokens(info, await sessions.sign_in(ctx.stores, user_id, role, ctx.device))


async def _tokens(info: Info, session: sessions.SignedIn) -> AuthPayload:
    """A new or refreshed session's tokens, with its user."""
    row = await info.context.loaders.user_by_id.load(session.user_id)
    assert row is not None
    return AuthPayload(
        access_token=session.access_token,
        expires_in=info.context.settings.access_token_ttl_seconds,
        refresh_token=session.refresh_token,
        refresh_token_expires_at=session.refresh_expires_at,
        user=User.from_row(row),
    )


async def register(info: Info, data: Annotated[RegisterInput, strawberry.argument(name="input")]) -> AuthPayload:
    email, name = data.email.strip(), data.display_name.strip()
    if refusals := accounts.registration_refusals(email, data.password, name):
        return AuthPayload(errors=_errors(refusals))
    try:
        user_id = await users.create_user(
            info.context.stores.engine,
            email=data.email,
            password_hash=await hash_password(data.password),
            display_name=name,
        )
    except users.EmailTaken:
        return AuthPayload(
            errors=[_error(AccountErrorCode.EMAIL_TAKEN, "An account with this email already exists", "email")]
        )
    return await _signed_in(info, user_id, "student")


async def login(info: Info, data: Annotated[LoginInput, strawberry.argument(name="input")]) -> AuthPayload:
    ctx = info.context
    row = await accounts.authenticate(ctx.stores, data.email.strip(), data.password, ctx.device.ip)
    if isinstance(row, list):
        return AuthPayload(errors=_errors(row))
    return await _signed_in(info, row["id"], row["role"])


async def refresh_session(info: Info, refresh_token: str) -> AuthPayload:
    ctx = info.context
    if len(refresh_token) > accounts.MAX_TOKEN:
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
    return await _tokens(info, outcome)


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
    passwords = accounts.password_too_long("currentPassword", data.current_password)
    if refusals := passwords + accounts.password_too_long("newPassword", data.new_password):
        return AccountResult(ok=False, errors=_errors(refusals))
    row = await accounts.confirm_password(ctx.stores, user_id, data.current_password, ctx.device.ip)
    if isinstance(row, list):
        return AccountResult(ok=False, errors=_errors(row))
    if refusals := accounts.password_refusals(data.new_password, row["email"], "newPassword"):
        return AccountResult(ok=False, errors=_errors(refusals))
    # Other devices may be the reason for the change: sign them out, keep this one.
    keep = uuid.UUID(viewer.session_id) if viewer.session_id else None
    new_hash = await hash_password(data.new_password)
    await sessions.set_password(ctx.stores, user_id, new_hash, "password_changed", keep=keep)
    return AccountResult(ok=True)


async def _mail(info: Info, email: str, send: Callable[[Stores, str], Awaitable[None]]) -> AccountResult:
    """A link by mail: the same answer whether or not the address has an account (`send` decides)."""
    ctx, email = info.context, email.strip()
    if refusals := await accounts.mail_request_refusals(ctx.stores, email, ctx.device.ip):
        return AccountResult(ok=False, errors=_errors(refusals))
    await send(ctx.stores, email)
    return AccountResult(ok=True)


async def request_magic_link(info: Info, email: str) -> AccountResult:
    return await _mail(info, email, recovery.send_magic_link)


async def sign_in_with_magic_link(info: Info, token: str) -> AuthPayload:
    ctx = info.context
    token = token.strip()
    user_id = await recovery.redeem_magic_link(ctx.stores, token) if len(token) <= accounts.MAX_TOKEN else None
    if user_id is None:
        return AuthPayload(errors=[_error(AccountErrorCode.INVALID_TOKEN, _INVALID_LINK, "token")])
    row = await ctx.loaders.user_by_id.load(user_id)
    assert row is not None
    return await _signed_in(info, user_id, row["role"])


async def request_password_reset(info: Info, email: str) -> AccountResult:
    return await _mail(info, email, recovery.send_password_reset)


async def reset_password(
    info: Info, data: Annotated[ResetPasswordInput, strawberry.argument(name="input")]
) -> AuthPayload:
    stores = info.context.stores
    if refusals := accounts.password_too_long("newPassword", data.new_password):
        return AuthPayload(errors=_errors(refusals))
    token = data.token.strip()
    target = await recovery.password_reset_target(stores, token) if len(token) <= accounts.MAX_TOKEN else None
    if target is None:
        return AuthPayload(errors=[_error(AccountErrorCode.INVALID_TOKEN, _INVALID_LINK, "token")])
    user_id, email = target
    if refusals := accounts.password_refusals(data.new_password, email, "newPassword"):
        return AuthPayload(errors=_errors(refusals))
    if not await recovery.use_password_reset(stores, token):
        return AuthPayload(errors=[_error(AccountErrorCode.INVALID_TOKEN, _INVALID_LINK, "token")])
    # Whoever knew the old password may hold sessions: every one of them ends.
    await sessions.set_password(stores, user_id, await hash_password(data.new_password), "password_reset")
    row = await info.context.loaders.user_by_id.load(user_id)
    assert row is not None
    return await _signed_in(info, user_id, row["role"])
