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
    # ~50 ms of CPU: off the event loop, so other requests keep flowing meanwhile.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash, spend the same time and return False."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)
