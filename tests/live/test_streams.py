"""Stream cursors and the resync decision, in process."""

from __future__ import annotations

import uuid

import pytest

from learnhub.live import streams


def test_a_cursor_belongs_to_its_stream() -> None:
    mine, theirs = streams.user_stream(uuid.uuid4()), streams.user_stream(uuid.uuid4())
    cursor = streams.encode_cursor(mine, "1700000000000-3")
    assert streams.decode_cursor(cursor, mine) == "1700000000000-3"
    for bad in (cursor, "", "%%%", "bm90IGEgY3Vyc29y"):
        with pytest.raises(streams.CursorInvalid):
            streams.decode_cursor(bad, theirs)
    with pytest.raises(streams.CursorInvalid):
        streams.decode_cursor(streams.encode_cursor(mine, "not-an-id"), mine)


def test_resync_is_required_exactly_outside_the_window() -> None:
    now = 1_700_000_000_000
    streams.check_resumable(f"{now - 3_600_000}-0", 3600, now_ms=now)  # at the edge: still kept
    with pytest.raises(streams.ResyncRequired):
        streams.check_resumable(f"{now - 3_600_001}-0", 3600, now_ms=now)
    with pytest.raises(streams.CursorInvalid):  # from the future
        streams.check_resumable(f"{now + 120_000}-0", 3600, now_ms=now)
