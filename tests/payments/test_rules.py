"""Pure rules in process: the payment state machine, what an event is about, and how the
provider's states read in the gateway's words."""

from __future__ import annotations

import pytest

from learnhub.datasources.stripe import payment_status, subscription_status, to_subscription
from learnhub.payments.events import PAYMENT_NEXT, event_ref, may_move


def test_payments_only_move_forward() -> None:
    assert may_move("pending", "succeeded")
    assert may_move("pending", "refunded")  # a refund overtook its success
    assert may_move("failed", "succeeded")  # paid with another card
    assert may_move("succeeded", "refunded")
    assert not may_move("succeeded", "failed")
    assert not may_move("succeeded", "pending")
    assert not any(may_move("refunded", to) for to in PAYMENT_NEXT)
    assert not any(may_move(state, state) for state in PAYMENT_NEXT)


@pytest.mark.parametrize(
    ("type_", "obj", "ref"),
    [
        ("payment_intent.succeeded", {"id": "pi_1"}, "pi_1"),
        ("charge.refunded", {"id": "ch_1", "payment_intent": "pi_2"}, "pi_2"),
        ("charge.dispute.closed", {"id": "dp_1", "payment_intent": "pi_3"}, "pi_3"),
        ("customer.subscription.updated", {"id": "sub_1"}, "sub_1"),
        ("invoice.payment_succeeded", {"id": "in_1", "subscription": "sub_2"}, "sub_2"),
        ("customer.created", {"id": "cus_1"}, None),
    ],
)
def test_an_event_names_the_payment_or_subscription_it_is_about(type_: str, obj: dict[str, str], ref: str) -> None:
    assert event_ref(type_, obj) == ref


def test_provider_states_in_the_gateways_words() -> None:
    assert payment_status({"status": "succeeded"}) == "succeeded"
    assert payment_status({"status": "succeeded", "latest_charge": {"refunded": True}}) == "refunded"
    assert payment_status({"status": "requires_payment_method"}) == "pending"
    assert payment_status({"status": "requires_payment_method", "last_payment_error": {"code": "x"}}) == "failed"
    assert payment_status({"status": "canceled"}) == "failed"
    assert [subscription_status({"status": s}) for s in ("trialing", "unpaid", "incomplete_expired", "incomplete")] == [
        "active",
        "past_due",
        "canceled",
        "incomplete",
    ]


def test_the_period_end_is_read_where_either_api_version_keeps_it() -> None:
    old = to_subscription({"id": "sub_1", "status": "active", "current_period_end": 1_800_000_000, "customer": "c"})
    new = to_subscription(
        {"id": "sub_1", "status": "active", "customer": {"id": "c"},
         "items": {"data": [{"current_period_end": 1_800_000_000}]}}
    )  # fmt: skip
    assert old.current_period_end == new.current_period_end
    assert old.current_period_end is not None
    assert new.customer_id == "c"
