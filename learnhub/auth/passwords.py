"""Argon2id password hashing."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's second recommended profile: Argon2id, t=3, m=64 MiB, p=4.
_hasher = PasswordHasher()

# Verified against when an email is unknown, so a login takes the same time either way.
_DUMMY_HASH = _hasher.hash("learnhub-timing-equaliser")


async def hash_password(password: str) -> str:
    # ~120 ms of CPU on a 2-core machine: off the event loop, so other requests keep flowing.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash, spend the same time and return False."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


MIN_PASSWORD = 8
MAX_PASSWORD = 128  # Argon2 takes any length; the bound keeps one request's hashing cost fixed.

# The most common passwords of 8+ characters in public breach corpora; rejecting them stops
# the cheapest guessing attacks without a network call to a breach service.
_COMMON = frozenset(
    {
        "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwertyuiop",
        "iloveyou", "sunshine", "princess", "football", "baseball", "welcome1", "abc12345", "11111111",
        "00000000", "qwerty123", "1q2w3e4r", "1qaz2wsx", "letmein1", "trustno1", "superman", "starwars",
        "dragon12", "passw0rd", "p@ssw0rd", "zaq12wsx", "asdfghjkl", "changeme", "learnhub", "learnhub1",
        "qwertyui", "88888888", "87654321", "computer", "michelle", "jennifer", "1234qwer", "admin123",
    }
)  # fmt: skip


def password_problems(password: str, email: str = "") -> list[tuple[str, str]]:
    """(code, message) for each rule the password breaks; empty when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return [("PASSWORD_TOO_SHORT", f"Use at least {MIN_PASSWORD} characters")]
    if len(password) > MAX_PASSWORD:
        return [("PASSWORD_TOO_LONG", f"Use at most {MAX_PASSWORD} characters")]
    lowered = password.lower()
    if lowered in _COMMON or len(set(password)) < 3:
        return [("PASSWORD_TOO_COMMON", "This password is too easy to guess; choose another")]
    local = email.strip().lower().partition("@")[0]
    if len(local) >= 4 and (local in lowered or lowered in email.strip().lower()):
        return [("PASSWORD_MATCHES_EMAIL", "Do not use your email address in the password")]
    return []
