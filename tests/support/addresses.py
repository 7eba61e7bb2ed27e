"""Client addresses for tests of per-address limits."""

from __future__ import annotations

import secrets


def fresh_ip() -> str:
    """A documentation-range IPv6 address with 64 random bits.

    Limits keep their buckets in the Redis every test shares, so two tests (or two
    calls in one test) must never draw the same address; 8 random bits did, about
    once in forty runs.
    """
    groups = [secrets.token_hex(2) for _ in range(4)]
    return "2001:db8::" + ":".join(groups)
