"""The rules a batch of client events must pass, in process: count, names, entity ids, context
size, and clock-skew clamping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from learnhub.analytics.catalog import (
    CLIENT_EVENTS,
    MAX_CONTEXT_BYTES,
    MAX_EVENTS,
    MAX_FUTURE,
    MAX_PAST,
    SERVER_EVENTS,
    ClientEvent,
    check_batch,
    clamp,
)
from learnhub.analytics.partitions import month_start, older_than
from learnhub.core.errors import (
    AnalyticsBatchTooLarge,
    AnalyticsContextTooLarge,
    AnalyticsEntityInvalid,
    AnalyticsEventUnknown,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _event(name: str = "lesson_viewed", **kwargs: object) -> ClientEvent:
    return ClientEvent(name=name, occurred_at=NOW, **kwargs)  # type: ignore[arg-type]


def test_a_full_batch_of_known_events_passes() -> None:
    check_batch([_event(entity_id="lesson:rest-intro", context={"screen": "player"})] * MAX_EVENTS)


def test_one_event_too_many_is_refused() -> None:
    with pytest.raises(AnalyticsBatchTooLarge) as refused:
        check_batch([_event()] * (MAX_EVENTS + 1))
    assert refused.value.code == "ANALYTICS_BATCH_TOO_LARGE"
    assert refused.value.extensions == {"limit": 100, "count": 101}


@pytest.mark.parametrize("name", ["lesson_completed", "quiz_submitted", "payment_succeeded", "", "Lesson_Viewed"])
def test_server_events_and_unknown_names_are_refused_with_their_index(name: str) -> None:
    with pytest.raises(AnalyticsEventUnknown) as refused:
        check_batch([_event(), _event(name)])
    assert refused.value.extensions == {"index": 1}


def test_apps_cannot_send_learning_outcomes() -> None:
    assert not CLIENT_EVENTS & SERVER_EVENTS


@pytest.mark.parametrize("entity", ["rest-intro", "lesson:", "user:x", "lesson:a b", "lesson:" + "a" * 200])
def test_malformed_entity_ids_are_refused(entity: str) -> None:
    with pytest.raises(AnalyticsEntityInvalid):
        check_batch([_event(entity_id=entity)])


def test_a_context_over_the_cap_or_not_an_object_is_refused() -> None:
    with pytest.raises(AnalyticsContextTooLarge) as refused:
        check_batch([_event(context={"blob": "x" * MAX_CONTEXT_BYTES})])
    assert refused.value.code == "ANALYTICS_CONTEXT_INVALID"
    with pytest.raises(AnalyticsContextTooLarge):
        check_batch([_event(context=["a", "list"])])
    check_batch([_event(context={"blob": "x" * (MAX_CONTEXT_BYTES - 20)})])


def test_times_within_the_window_are_kept() -> None:
    for moment in (NOW, NOW - MAX_PAST, NOW + MAX_FUTURE, NOW - timedelta(days=3)):
        assert clamp(moment, NOW) == (moment, False)


def test_times_outside_the_window_are_clamped_and_flagged() -> None:
    assert clamp(NOW - timedelta(days=30), NOW) == (NOW - MAX_PAST, True)
    assert clamp(NOW + timedelta(hours=2), NOW) == (NOW + MAX_FUTURE, True)
    assert clamp(datetime(1970, 1, 1, tzinfo=UTC), NOW) == (NOW - MAX_PAST, True)


def test_a_naive_time_is_read_as_utc() -> None:
    assert clamp(NOW.replace(tzinfo=None), NOW) == (NOW, False)


def test_months_roll_over_the_year() -> None:
    assert month_start(datetime(2026, 11, 15).date(), 2) == datetime(2027, 1, 1).date()
    assert month_start(datetime(2026, 12, 31).date(), 0) == datetime(2026, 12, 1).date()


def test_only_monthly_partitions_before_the_month_are_detached() -> None:
    names = [f"analytics_events_{month}" for month in ("default", "2026_10", "2026_11", "2026_12")]
    assert older_than(names, datetime(2026, 11, 20).date()) == ["analytics_events_2026_10"]
    assert older_than(names, datetime(2026, 10, 1).date()) == []
