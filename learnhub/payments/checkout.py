"""Checkout: one course purchase or one subscription, idempotent per (user, key).

A course: a PaymentIntent for the course's price (integer minor units, the course's currency),
returned with its client secret for Stripe.js to confirm; the payment row is `pending` until
the provider's `payment_intent.succeeded` arrives. A plan: a customer with the card the client
collected (a PaymentMethod id), a subscription on the plan; its first invoice is charged at
once and the answer carries the subscription's state.

Order: everything is checked before the provider is called, the provider is called before
anything is written, and the rows are written in one transaction that also applies events
that overtook it. A retry with the same key, before or after, finds the row and returns it;
two concurrent first tries both reach the provider (Stripe deduplicates on the idempotency
key; the local server does not, leaving an unpaid PaymentIntent nobody holds the secret of)
and the unique (user, key) keeps one row, which both return.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.errors import PaymentProviderUnavailable
from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import payments
from learnhub.datasources.postgres.tables import utcnow
from learnhub.datasources.stores import Stores
from learnhub.payments import entitlements
from learnhub.payments.events import Applied, after_payment_succeeded, apply_parked
from learnhub.payments.provider import ProviderRejected, ProviderUnreachable, provider_for

_KEY = re.compile(r"[A-Za-z0-9_.:-]{8,100}")
_PAYMENT_METHOD = re.compile(r"pm_[A-Za-z0-9_]{1,100}")
_UNAVAILABLE = "The payment provider is not answering; nothing was charged. Try again shortly."


@dataclass(frozen=True)
class Refused:
    code: str  # a CheckoutErrorCode: INVALID, NOT_FOUND, FREE_COURSE, ALREADY_ENTITLED, ...
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Checkout:
    payment: RowMapping
    client_secret: str | None
    subscription: RowMapping | None = None


@dataclass(frozen=True)
class Buyer:
    user_id: uuid.UUID
    email: str


def _same_target(row: RowMapping, course_id: uuid.UUID | None, plan_id: uuid.UUID | None) -> bool:
    return bool(row["course_id"] == course_id and row["plan_id"] == plan_id)


async def _existing(
    stores: Stores, buyer: Buyer, key: str, course_id: uuid.UUID | None, plan_id: uuid.UUID | None
) -> Checkout | Refused | None:
    async with stores.engine.connect() as conn:
        row = await payments.payment_by_key(conn, buyer.user_id, key)
        if row is None:
            return None
        if not _same_target(row, course_id, plan_id):
            return Refused("IDEMPOTENCY_KEY_REUSED", "This key was used for another checkout", "idempotencyKey")
        sub = await payments.subscription_by_ref(conn, row["provider_ref"]) if plan_id is not None else None
    return Checkout(row, row["client_secret"], sub)


def _check_key(key: str) -> Refused | None:
    if _KEY.fullmatch(key) is None:
        return Refused("INVALID", "Give 8 to 100 letters, digits, '-', '_', '.' or ':'", "idempotencyKey")
    return None


async def buy_course(stores: Stores, buyer: Buyer, course: RowMapping | None, key: str) -> Checkout | Refused:
    """`course`: the row as the viewer may see it (None: unknown or hidden)."""
    if (bad := _check_key(key)) is not None:
        return bad
    if course is None:
        return Refused("NOT_FOUND", "No such course", "courseId")
    if (found := await _existing(stores, buyer, key, course["id"], None)) is not None:
        return found
    if not course["published"]:
        return Refused("NOT_PUBLISHED", "This course is not for sale", "courseId")
    if course["price_cents"] == 0:
        return Refused("FREE_COURSE", "This course is free: enroll without paying", "courseId")
    if await entitlements.entitled(stores.engine, buyer.user_id, course):
        return Refused("ALREADY_ENTITLED", "You already have access to this course", "courseId")
    payment_id = uuid7()
    metadata = {
        "payment_id": str(payment_id),
        "user_id": str(buyer.user_id),
        "course_id": str(course["id"]),
        "idempotency_key": key,
    }
    provider = provider_for(stores.settings)
    try:
        made = await provider.create_payment(
            amount_cents=course["price_cents"],
            currency=course["currency"],
            metadata=metadata,
            idempotency_key=f"checkout:{buyer.user_id}:{key}",
        )
    except ProviderUnreachable as exc:
        raise PaymentProviderUnavailable(_UNAVAILABLE) from exc
    except ProviderRejected as exc:
        return Refused("PAYMENT_FAILED", str(exc))
    return await record_checkout(
        stores.engine,
        buyer,
        key,
        {
            "id": payment_id,
            "course_id": course["id"],
            "plan_id": None,
            "amount_cents": course["price_cents"],
            "currency": course["currency"],
            "provider_ref": made.ref,
            "client_secret": made.client_secret,
        },
        subscription=None,
    )


async def subscribe(
    stores: Stores, buyer: Buyer, plan_id: uuid.UUID, key: str, payment_method: str | None
) -> Checkout | Refused:
    if (bad := _check_key(key)) is not None:
        return bad
    if (found := await _existing(stores, buyer, key, None, plan_id)) is not None:
        return found
    async with stores.engine.connect() as conn:
        plan = await payments.plan_by_id(conn, plan_id)
    if plan is None or not plan["active"]:
        return Refused("NOT_FOUND", "No such plan", "planId")
    if payment_method is None or _PAYMENT_METHOD.fullmatch(payment_method) is None:
        return Refused("INVALID", "Give the card's PaymentMethod id (pm_...) from Stripe.js", "paymentMethodId")
    current = await payments.current_subscription(stores.engine, buyer.user_id)
    if current is not None and current["status"] in ("active", "past_due") and not current["cancel_at_period_end"]:
        return Refused("ALREADY_ENTITLED", "You already have a subscription", "planId")
    provider = provider_for(stores.settings)
    payment_id = uuid7()
    metadata = {"payment_id": str(payment_id), "user_id": str(buyer.user_id), "plan_id": str(plan_id)}
    try:
        provider_plan = plan["provider_plan_id"] or await provider.ensure_plan(
            plan_id=f"learnhub-{plan['code']}",
            name=plan["name"],
            amount_cents=plan["amount_cents"],
            currency=plan["currency"],
            interval=plan["interval"],
        )
        if plan["provider_plan_id"] is None:
            async with stores.engine.begin() as conn:
                await payments.set_provider_plan(conn, plan_id, provider_plan)
        made = await provider.create_subscription(
            provider_plan_id=provider_plan,
            payment_method=payment_method,
            email=buyer.email,
            metadata=metadata,
            idempotency_key=f"checkout:{buyer.user_id}:{key}",
        )
    except ProviderUnreachable as exc:
        raise PaymentProviderUnavailable(_UNAVAILABLE) from exc
    except ProviderRejected as exc:
        return Refused("PAYMENT_FAILED", str(exc), "paymentMethodId")
    subscription = {
        "id": uuid7(),
        "user_id": buyer.user_id,
        "plan_id": plan_id,
        "status": made.status,
        "provider_ref": made.ref,
        "provider_customer_id": made.customer_id,
        "current_period_end": made.current_period_end,
        "cancel_at_period_end": made.cancel_at_period_end,
    }
    values = {
        "id": payment_id,
        "course_id": None,
        "plan_id": plan_id,
        "amount_cents": plan["amount_cents"],
        "currency": plan["currency"],
        "provider_ref": made.ref,
        "client_secret": None,
    }
    return await record_checkout(stores.engine, buyer, key, values, subscription=subscription)


async def record_checkout(
    engine: AsyncEngine, buyer: Buyer, key: str, values: dict[str, Any], *, subscription: dict[str, Any] | None
) -> Checkout:
    """Write what the provider made, once per (user, key), and apply the events about it that
    arrived first; all in one transaction."""
    now = utcnow()
    out = Applied()
    async with engine.begin() as conn:
        inserted = await payments.insert_payment(
            conn,
            {
                **values,
                "user_id": buyer.user_id,
                "status": "pending",
                "idempotency_key": key,
                "created_at": now,
                "updated_at": now,
            },
        )
        if inserted:
            if subscription is not None:
                await payments.insert_subscription(conn, {**subscription, "created_at": now, "updated_at": now})
                if subscription["status"] == "active":  # the first invoice was paid in the call
                    moved = await payments.set_payment_status(conn, values["id"], "succeeded")
                    out.succeeded.append(moved)
            await apply_parked(conn, values["provider_ref"], out)
            await payments.sync_enrollments(conn, buyer.user_id)
        row = await payments.payment_by_key(conn, buyer.user_id, key)
        assert row is not None  # inserted now, or by the concurrent try that won
        sub = await payments.subscription_by_ref(conn, row["provider_ref"]) if subscription is not None else None
    for payment in out.succeeded:
        await after_payment_succeeded(engine, payment)
    return Checkout(row, row["client_secret"], sub)
