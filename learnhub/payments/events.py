"""Provider events (webhooks) applied exactly once, in any order.

Each event is recorded by its provider id (primary key) in the transaction that applies it, so
a duplicate delivery finds the id taken and changes nothing, and a crash leaves neither. An
event about a payment or subscription the gateway has not written yet (it overtook its
checkout's commit) is recorded with `applied_at` null ("parked") and applied by the checkout
that writes the row (`apply_parked`), in the same transaction.

Order does not matter because the state machines only move forward:
payments `pending -> succeeded | failed -> refunded` (`failed -> succeeded` too: a retry with
another card; a refund may arrive before its success and ends the payment at `refunded`);
subscriptions take the state of the newest report by the provider's event time, so an older
`customer.subscription.updated` arriving late changes nothing. After each change the user's
enrollments are brought in line with the entitlement rule (suspended or restored).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.analytics.events import record_server_event
from learnhub.datasources.postgres import payments
from learnhub.datasources.stripe import ProviderEvent, payment_status, to_subscription

log = logging.getLogger(__name__)

# Payment states and the states each may move to.
PAYMENT_NEXT: dict[str, frozenset[str]] = {
    "pending": frozenset({"succeeded", "failed", "refunded"}),
    "failed": frozenset({"succeeded", "refunded"}),
    "succeeded": frozenset({"refunded"}),
    "refunded": frozenset(),
}

_PAYMENT_EVENTS = {
    "payment_intent.succeeded": "succeeded",
    "payment_intent.payment_failed": "failed",
    "payment_intent.canceled": "failed",
    "charge.refunded": "refunded",
}
_SUBSCRIPTION_EVENTS = frozenset(
    {"customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted"}
)
_INVOICE_EVENTS = frozenset({"invoice.payment_succeeded", "invoice.paid"})
_DISPUTE_CLOSED = "charge.dispute.closed"


def may_move(current: str, to: str) -> bool:
    return to in PAYMENT_NEXT[current]


def event_ref(type_: str, obj: Mapping[str, Any]) -> str | None:
    """The id of the payment (PaymentIntent) or subscription an event is about."""
    if type_.startswith("payment_intent.") or type_ in _SUBSCRIPTION_EVENTS:
        return str(obj.get("id")) if obj.get("id") else None
    if type_.startswith("charge."):
        ref = obj.get("payment_intent")
        return ref if isinstance(ref, str) else None
    if type_.startswith("invoice."):
        ref = obj.get("subscription")
        return ref if isinstance(ref, str) else None
    return None


@dataclass
class Applied:
    """What one application changed; `succeeded` lists payments that became succeeded."""

    applied: bool = True
    succeeded: list[RowMapping] = field(default_factory=list)


async def after_payment_succeeded(engine: AsyncEngine, payment: RowMapping) -> None:
    """Called once per payment, after its move to `succeeded` has committed: the place for
    work that follows a sale (the analytics `payment_succeeded` server event)."""
    log.info("payment %s succeeded (%s %s)", payment["id"], payment["amount_cents"], payment["currency"])
    course_id = payment["course_id"]
    await record_server_event(
        engine,
        "payment_succeeded",
        user_id=payment["user_id"],
        course_id=await payments.course_content_id(engine, course_id) if course_id is not None else None,
        # Money stays integer minor units with its currency, in the context, never a float value.
        context={"paymentId": str(payment["id"]), "amount": payment["amount_cents"], "currency": payment["currency"]},
    )


async def _move_payment(conn: AsyncConnection, ref: str, to: str, out: Applied) -> bool:
    row = await payments.payment_by_ref(conn, ref, lock=True)
    if row is None:
        return False
    if may_move(row["status"], to):
        moved = await payments.set_payment_status(conn, row["id"], to)
        if to == "succeeded":
            out.succeeded.append(moved)
        await payments.sync_enrollments(conn, row["user_id"])
    return True


async def _apply_subscription(conn: AsyncConnection, obj: Mapping[str, Any], at: datetime, out: Applied) -> bool:
    reported = to_subscription(dict(obj))
    row = await payments.subscription_by_ref(conn, reported.ref, lock=True)
    if row is None:
        return False
    changed = await payments.set_subscription_state(
        conn,
        row["id"],
        status=reported.status,
        current_period_end=reported.current_period_end,
        cancel_at_period_end=reported.cancel_at_period_end,
        state_at=at,
    )
    if changed is not None and changed["status"] == "active":
        await _move_payment(conn, reported.ref, "succeeded", out)  # the first payment, if still pending
    await payments.sync_enrollments(conn, row["user_id"])
    return True


async def apply_one(conn: AsyncConnection, type_: str, obj: Mapping[str, Any], at: datetime, out: Applied) -> bool:
    """Apply one event's change; False when the record it is about does not exist (yet)."""
    ref = event_ref(type_, obj)
    if type_ in _PAYMENT_EVENTS and ref is not None:
        return await _move_payment(conn, ref, _PAYMENT_EVENTS[type_], out)
    if type_ == _DISPUTE_CLOSED and ref is not None:
        # A lost dispute takes the money back like a refund; won or pending ones change nothing.
        return await _move_payment(conn, ref, "refunded", out) if obj.get("status") == "lost" else True
    if type_ in _SUBSCRIPTION_EVENTS:
        return await _apply_subscription(conn, obj, at, out)
    if type_ in _INVOICE_EVENTS and ref is not None:
        if await payments.subscription_by_ref(conn, ref) is None:
            return False
        await _move_payment(conn, ref, "succeeded", out)
        return True
    return True  # an event kind the gateway does not act on: recorded, nothing to change


async def apply_event(engine: AsyncEngine, event: ProviderEvent) -> str:
    """Record and apply a verified event: `applied`, `parked` (its record does not exist yet)
    or `duplicate` (this id was received before)."""
    out = Applied()
    ref = event_ref(event.type, event.object)
    async with engine.begin() as conn:
        fresh = await payments.record_event(
            conn, event_id=event.id, type_=event.type, ref=ref, payload=event.object, at=event.created
        )
        if not fresh:
            return "duplicate"
        out.applied = await apply_one(conn, event.type, event.object, event.created, out)
        if out.applied:
            await payments.mark_applied(conn, event.id)
    for payment in out.succeeded:
        await after_payment_succeeded(engine, payment)
    return "applied" if out.applied else "parked"


async def apply_parked(conn: AsyncConnection, ref: str, out: Applied) -> None:
    """Apply the events that arrived before the row for `ref` was written (same transaction)."""
    for event in await payments.parked_events(conn, ref):
        if await apply_one(conn, event["type"], event["payload"], event["occurred_at"], out):
            await payments.mark_applied(conn, event["id"])


async def apply_provider_state(
    engine: AsyncEngine, payment: RowMapping, status: str, *, user_id: uuid.UUID
) -> list[RowMapping]:
    """Move a payment to the state the provider reports (reconciliation, an admin refund):
    the same state machine as events. Returns the payments that became succeeded."""
    out = Applied()
    async with engine.begin() as conn:
        if status != "pending" and payment["provider_ref"] is not None:
            await _move_payment(conn, payment["provider_ref"], status, out)
        await payments.sync_enrollments(conn, user_id)
    for moved in out.succeeded:
        await after_payment_succeeded(engine, moved)
    return out.succeeded


__all__ = ["apply_event", "apply_parked", "apply_provider_state", "payment_status"]
