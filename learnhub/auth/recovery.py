"""Sign-in links and password resets: single-use secrets in Redis, delivered by mail.

A request answers the same whether or not the address has an account; mail goes out only
when it has one, on a background task, so neither the answer nor its timing tells.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.engine import RowMapping

from learnhub.datasources import redis as keys
from learnhub.datasources.mail import Mail
from learnhub.datasources.postgres import users
from learnhub.datasources.stores import Stores


def _link(stores: Stores, path: str, token: str) -> str:
    return f"{stores.settings.app_url.rstrip('/')}{path}?{urlencode({'token': token})}"


async def _active_account(stores: Stores, email: str) -> RowMapping | None:
    row = await users.credentials_by_email(stores.engine, email)
    return row if row is not None and row["disabled_at"] is None else None


@dataclass(frozen=True)
class _Letter:
    kind: str  # the Redis key prefix of its one-time token
    subject: str
    lead: str
    path: str
    closing: str


_SIGN_IN = _Letter(
    keys.MAGIC_LINK,
    "Your LearnHub sign-in link",
    "Sign in to LearnHub",
    "/auth/magic-link",
    "If you did not ask for it, ignore this mail.",
)
_RESET = _Letter(
    keys.PASSWORD_RESET,
    "Reset your LearnHub password",
    "Choose a new password",
    "/auth/reset-password",
    "Resetting signs you out on every device.",
)


async def _mail_link(stores: Stores, to: str, letter: _Letter, payload: dict[str, str], ttl_seconds: int) -> None:
    """Store a one-time token and mail its link to `to`."""
    token = await keys.put_one_time(stores.redis, letter.kind, payload, ttl_seconds)
    text = (
        f"{letter.lead} with this link:\n\n{_link(stores, letter.path, token)}\n\n"
        f"It works once, within {ttl_seconds // 60} minutes. {letter.closing}"
    )
    stores.outbox.post(Mail(to=to, subject=letter.subject, text=text))


async def send_magic_link(stores: Stores, email: str) -> None:
    if (row := await _active_account(stores, email)) is None:
        return
    # Bound to the address: redeeming signs in whoever owns this email at that moment.
    ttl = stores.settings.magic_link_ttl_seconds
    await _mail_link(stores, row["email"], _SIGN_IN, {"email": row["email"]}, ttl)


async def redeem_magic_link(stores: Stores, token: str) -> uuid.UUID | None:
    """The user the link signs in, or None when it is unknown, used or expired."""
    payload = await keys.take_one_time(stores.redis, keys.MAGIC_LINK, token)
    if payload is None or not isinstance(payload.get("email"), str):
        return None
    row = await _active_account(stores, payload["email"])
    return uuid.UUID(str(row["id"])) if row is not None else None


async def send_password_reset(stores: Stores, email: str) -> None:
    if (row := await _active_account(stores, email)) is None:
        return
    # Bound to the current password hash too: once the password changes, older links are dead.
    payload = {"user_id": str(row["id"]), "hash_tail": row["password_hash"][-16:]}
    await _mail_link(stores, row["email"], _RESET, payload, stores.settings.password_reset_ttl_seconds)


async def password_reset_target(stores: Stores, token: str) -> tuple[uuid.UUID, str] | None:
    """(user id, email) a reset token applies to, without using it up (so a rejected new
    password can be corrected); None when the token is unknown, used or stale."""
    payload = await keys.peek_one_time(stores.redis, keys.PASSWORD_RESET, token)
    if payload is None:
        return None
    try:
        user_id = uuid.UUID(str(payload.get("user_id")))
    except ValueError:
        return None
    row = await users.credentials_by_id(stores.engine, user_id)
    if row is None or row["disabled_at"] is not None or row["password_hash"][-16:] != payload.get("hash_tail"):
        return None
    return user_id, str(row["email"])


async def use_password_reset(stores: Stores, token: str) -> bool:
    """Spend the token; False when a concurrent request spent it first."""
    return await keys.take_one_time(stores.redis, keys.PASSWORD_RESET, token) is not None
