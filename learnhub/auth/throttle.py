"""Brute-force limits on sign-in and on mail-sending requests, per account and per IP.

Account buckets are keyed by a hash of the address whether or not an account exists, so a
lockout tells nothing about existence.
"""

from __future__ import annotations

from learnhub.core.settings import Settings
from learnhub.datasources.ratelimit import Bucket, Verdict, account_key
from learnhub.datasources.stores import Stores


def _buckets(settings: Settings, kind: str, email: str, ip: str) -> list[Bucket]:
    window = settings.login_window_seconds
    per_account = settings.login_attempts_per_account
    per_ip = settings.login_attempts_per_ip
    return [
        Bucket(f"rl:{kind}:acct:{account_key(email)}", per_account, per_account / window),
        Bucket(f"rl:{kind}:ip:{ip}", per_ip, per_ip / window),
    ]


async def login_allowed(stores: Stores, email: str, ip: str) -> Verdict:
    """Peek only: a successful sign-in costs nothing, so a victim's account is not locked by the owner's own logins."""
    return await stores.limiter.check(_buckets(stores.settings, "login", email, ip), charge=False)


async def login_failed(stores: Stores, email: str, ip: str) -> None:
    await stores.limiter.check(_buckets(stores.settings, "login", email, ip), charge=True)


async def mail_request_allowed(stores: Stores, email: str, ip: str) -> Verdict:
    """Magic links and resets: every request costs, so nobody can mail-bomb an address."""
    return await stores.limiter.check(_buckets(stores.settings, "mail", email, ip), charge=True)
