"""After the sale: an admin's refund, a subscriber's cancellation at period end.

Both ask the provider first and then write what it answered through the same state machines
the webhooks use, so the event that follows (Stripe sends `charge.refunded`,
`customer.subscription.updated`) finds the work done and changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.engine import RowMapping

from learnhub.core.errors import PaymentProviderUnavailable
from learnhub.datasources.postgres import payments
from learnhub.datasources.postgres.tables import utcnow
from learnhub.datasources.stores import Stores
from learnhub.payments.events import apply_provider_state
from learnhub.payments.provider import ProviderRejected, ProviderUnreachable, provider_for

_UNAVAILABLE = "The payment provider is not answering; nothing changed. Try again shortly."


@dataclass(frozen=True)
class Refused:
    code: str  # NOT_FOUND, NOT_REFUNDABLE, NO_SUBSCRIPTION, PAYMENT_FAILED
    message: str
    field: str | None = None


async def refund(stores: Stores, payment_id: uuid.UUID) -> RowMapping | Refused:
    """Refund a succeeded payment in full; refunding a refunded one returns it unchanged."""
    async with stores.engine.connect() as conn:
        row = await payments.payment_by_id(conn, payment_id)
    if row is None:
        return Refused("NOT_FOUND", "No such payment", "paymentId")
    if row["status"] == "refunded":
        return row
    if row["status"] != "succeeded" or row["provider_ref"] is None or row["plan_id"] is not None:
        return Refused("NOT_REFUNDABLE", "Only a succeeded course purchase can be refunded", "paymentId")
    try:
        await provider_for(stores.settings).refund(row["provider_ref"], idempotency_key=f"refund:{row['id']}")
    except ProviderUnreachable as exc:
        raise PaymentProviderUnavailable(_UNAVAILABLE) from exc
    except ProviderRejected as exc:
        return Refused("PAYMENT_FAILED", str(exc), "paymentId")
    await apply_provider_state(stores.engine, row, "refunded", user_id=row["user_id"])
    async with stores.engine.connect() as conn:
        done = await payments.payment_by_id(conn, payment_id)
    assert done is not None
    return done


async def cancel_subscription(stores: Stores, user_id: uuid.UUID) -> RowMapping | Refused:
    """Stop renewing: access lasts until the paid period ends (`cancelAtPeriodEnd`)."""
    current = await payments.current_subscription(stores.engine, user_id)
    if current is None or current["status"] == "canceled":
        return Refused("NO_SUBSCRIPTION", "You have no subscription to cancel")
    if current["cancel_at_period_end"]:
        return current
    try:
        reported = await provider_for(stores.settings).cancel_at_period_end(current["provider_ref"])
    except ProviderUnreachable as exc:
        raise PaymentProviderUnavailable(_UNAVAILABLE) from exc
    except ProviderRejected as exc:
        return Refused("PAYMENT_FAILED", str(exc))
    async with stores.engine.begin() as conn:
        changed = await payments.set_subscription_state(
            conn,
            current["id"],
            status=reported.status,
            current_period_end=reported.current_period_end,
            cancel_at_period_end=reported.cancel_at_period_end,
            state_at=utcnow(),
            current=True,
        )
        await payments.sync_enrollments(conn, user_id)
    return changed or current
