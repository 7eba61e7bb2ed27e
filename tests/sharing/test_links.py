"""Share-link rules in process: tokens, their hash and URL, the limits a new link may have, and a
link's state."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from learnhub.core.settings import Settings
from learnhub.sharing import links
from learnhub.sharing.links import MAX_LIFETIME, MAX_USES, link_problems, link_state, well_formed

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_a_token_has_256_random_bits_and_only_its_sha256_is_kept() -> None:
    token, token_hash = links.new_token()
    assert len(token) == 43  # token_urlsafe(32): 32 bytes, base64url without padding
    assert token_hash == hashlib.sha256(token.encode()).hexdigest() == links.hash_token(token)
    assert len(token_hash) == 64
    assert token not in token_hash


def test_every_token_is_new() -> None:
    assert len({links.new_token()[0] for _ in range(1000)}) == 1000


def test_issued_tokens_are_well_formed() -> None:
    assert all(well_formed(links.new_token()[0]) for _ in range(100))


@pytest.mark.parametrize(
    "token",
    ["", "short", "a" * 42, "a" * 44, "a" * 42 + "=", "a" * 42 + "/", "a" * 42 + "é", " " + "a" * 42, "a" * 10_000],
)
def test_anything_else_is_malformed(token: str) -> None:
    assert not well_formed(token)


def test_the_url_is_the_web_apps_share_path() -> None:
    settings = Settings(_env_file=None, app_url="https://learnhub.example/")  # type: ignore[call-arg]
    assert links.share_url(settings, "tok") == "https://learnhub.example/share/tok"


def test_a_link_without_limits_is_valid() -> None:
    assert link_problems(None, None, NOW) == []


def test_the_expiry_must_be_in_the_future() -> None:
    for moment in (NOW, NOW - timedelta(seconds=1)):
        assert [(p.code, p.field) for p in link_problems(moment, None, NOW)] == [("INVALID", "expiresAt")]
    assert link_problems(NOW + timedelta(seconds=1), None, NOW) == []


def test_the_expiry_is_at_most_a_year_ahead() -> None:
    assert link_problems(NOW + MAX_LIFETIME, None, NOW) == []
    problems = link_problems(NOW + MAX_LIFETIME + timedelta(seconds=1), None, NOW)
    assert [(p.code, p.field) for p in problems] == [("INVALID", "expiresAt")]


def test_an_expiry_without_a_zone_is_utc() -> None:
    assert link_problems(datetime(2026, 6, 1, 12, 0, 1), None, NOW) == []
    assert link_problems(datetime(2026, 6, 1, 11, 59), None, NOW) != []


@pytest.mark.parametrize("uses", [1, 2, MAX_USES])
def test_max_uses_from_one_to_a_hundred_thousand(uses: int) -> None:
    assert link_problems(None, uses, NOW) == []


@pytest.mark.parametrize("uses", [0, -1, MAX_USES + 1])
def test_max_uses_out_of_range(uses: int) -> None:
    assert [(p.code, p.field) for p in link_problems(None, uses, NOW)] == [("INVALID", "maxUses")]


def test_every_problem_is_reported_at_once() -> None:
    fields = [p.field for p in link_problems(NOW, 0, NOW)]
    assert fields == ["expiresAt", "maxUses"]


def _link(**changes: Any) -> dict[str, Any]:
    return {"revoked_at": None, "expires_at": None, "max_uses": None, "use_count": 0} | changes


def test_a_fresh_link_is_active() -> None:
    assert link_state(_link(), NOW) == "active"
    assert link_state(_link(expires_at=NOW + timedelta(seconds=1), max_uses=2, use_count=1), NOW) == "active"


def test_a_link_past_its_expiry_is_expired() -> None:
    assert link_state(_link(expires_at=NOW), NOW) == "expired"


def test_a_link_opened_max_uses_times_is_used_up() -> None:
    assert link_state(_link(max_uses=2, use_count=2), NOW) == "used_up"


def test_revoked_comes_before_expired_and_used_up() -> None:
    revoked = _link(revoked_at=NOW, expires_at=NOW - timedelta(days=1), max_uses=1, use_count=1)
    assert link_state(revoked, NOW) == "revoked"
    assert link_state(_link(expires_at=NOW, max_uses=1, use_count=1), NOW) == "expired"


def test_one_message_for_every_reason_a_link_does_not_open() -> None:
    error = links.invalid()
    assert (error.code, error.message) == ("SHARE_LINK_INVALID", links.INVALID_MESSAGE)
    assert error.extensions == {}


async def test_a_new_link_with_bad_limits_writes_nothing() -> None:
    """Refused before any store is touched (no stores are given at all)."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    new = links.NewLink("course", "course:x", "course:x", uuid.uuid4(), expires_at=yesterday, max_uses=0)
    refused = await links.create_link(None, new)  # type: ignore[arg-type]
    assert [r.field for r in refused] == ["expiresAt", "maxUses"]  # type: ignore[union-attr]


async def test_an_unknown_entity_is_refused() -> None:
    new = links.NewLink("user", "user:x", "course:x", uuid.uuid4())
    refused = await links.create_link(None, new)  # type: ignore[arg-type]
    assert [(r.code, r.field) for r in refused] == [("INVALID", "entity")]  # type: ignore[union-attr]
