"""Account rules: what a valid email and display name are, how long inputs may be, and the
password check that sign-in and password change share (throttled, same answer for unknown
emails). No GraphQL here: refusals carry the codes the API's AccountErrorCode names.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass

from sqlalchemy.engine import RowMapping

from learnhub.auth import throttle
from learnhub.auth.passwords import MAX_PASSWORD, password_problems, verify_password
from learnhub.datasources.postgres import users
from learnhub.datasources.ratelimit import Verdict
from learnhub.datasources.stores import Stores

MAX_DISPLAY_NAME = 100
# RFC 5321 section 4.5.3.1.3: a forward path is at most 256 octets, the angle brackets included.
MAX_EMAIL = 254
# The tokens we issue are 36 characters (sign-in and reset links: a UUID) and 43 (refresh tokens:
# token_urlsafe(32)). 256 leaves room for a longer format; anything longer is refused unseen,
# before it is hashed or looked up.
MAX_TOKEN = 256
# Deliberately loose: one @, a dot in the domain, no spaces. Deliverability is the mail server's call.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    field: str | None = None
    retry_after_seconds: int | None = None


def over_long(field: str, value: str, limit: int, code: str = "INVALID") -> list[Refusal]:
    """Checked before any hashing or store call, so what a request costs does not grow with its input."""
    return [Refusal(code, f"Use at most {limit} characters", field)] if len(value) > limit else []


def password_too_long(field: str, password: str) -> list[Refusal]:
    return over_long(field, password, MAX_PASSWORD, "PASSWORD_TOO_LONG")


def password_refusals(password: str, email: str, field: str) -> list[Refusal]:
    return [Refusal(code, message, field) for code, message in password_problems(password, email)]


def email_refusals(email: str) -> list[Refusal]:
    if not email:
        return [Refusal("REQUIRED", "Enter an email address", "email")]
    if len(email) > MAX_EMAIL or not _EMAIL.match(email):
        return [Refusal("INVALID", "Enter a valid email address", "email")]
    return []


def registration_refusals(email: str, password: str, display_name: str) -> list[Refusal]:
    """Every rule a new account breaks, per field (`email` and `display_name` already trimmed)."""
    refusals = email_refusals(email) + password_refusals(password, email, "password")
    if not display_name:
        refusals.append(Refusal("REQUIRED", "Enter a display name", "displayName"))
    elif len(display_name) > MAX_DISPLAY_NAME:
        refusals.append(Refusal("INVALID", f"Use at most {MAX_DISPLAY_NAME} characters", "displayName"))
    return refusals


def too_many(verdict: Verdict) -> Refusal:
    minutes = math.ceil(verdict.retry_after_seconds / 60)
    return Refusal(
        "TOO_MANY_ATTEMPTS",
        f"Too many attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        retry_after_seconds=verdict.retry_after_seconds,
    )


async def _checked(
    stores: Stores, row: RowMapping | None, email: str, password: str, *, ip: str, wrong: Refusal
) -> RowMapping | Refusal:
    """The throttled password check: the account's and the IP's failures both count, and an
    unknown account costs the same work and gets the same answer as a wrong password."""
    verdict = await throttle.login_allowed(stores, email, ip)
    if not verdict.allowed:
        return too_many(verdict)
    if not await verify_password(row["password_hash"] if row else None, password) or row is None:
        await throttle.login_failed(stores, email, ip)
        return wrong
    return row


async def authenticate(stores: Stores, email: str, password: str, ip: str) -> RowMapping | list[Refusal]:
    """The sign-in sequence: bounds, throttle, password, then the account's state."""
    if refusals := over_long("email", email, MAX_EMAIL) + password_too_long("password", password):
        return refusals
    row = await users.credentials_by_email(stores.engine, email)
    wrong = Refusal("INVALID_CREDENTIALS", "Email or password is incorrect")
    checked = await _checked(stores, row, email, password, ip=ip, wrong=wrong)
    if isinstance(checked, Refusal):
        return [checked]
    if checked["disabled_at"] is not None:
        return [Refusal("ACCOUNT_DISABLED", "This account is disabled")]
    return checked


async def confirm_password(stores: Stores, user_id: uuid.UUID, password: str, ip: str) -> RowMapping | list[Refusal]:
    """The signed-in user's current password, checked as sign-in checks it (before a change)."""
    row = await users.credentials_by_id(stores.engine, user_id)
    wrong = Refusal("INVALID_CREDENTIALS", "The current password is incorrect", "currentPassword")
    checked = await _checked(stores, row, row["email"] if row else "", password, ip=ip, wrong=wrong)
    return [checked] if isinstance(checked, Refusal) else checked


async def mail_request_refusals(stores: Stores, email: str, ip: str) -> list[Refusal]:
    """Sign-in link and reset mail requests: a valid address, within the mail limits."""
    if refusals := email_refusals(email):
        return refusals
    verdict = await throttle.mail_request_allowed(stores, email, ip)
    return [] if verdict.allowed else [too_many(verdict)]
