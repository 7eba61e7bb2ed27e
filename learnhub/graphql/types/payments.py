"""Prices, plans, payments, subscriptions and the checkout's answer."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from sqlalchemy.engine import RowMapping

from learnhub.graphql.relay.node import to_global_id


@strawberry.type(description="An amount of money: an integer in the currency's minor unit (cents), never a float.")
class Money:
    amount: int = strawberry.field(description="In minor units: 4900 is 49.00 in `usd`.")
    currency: str = strawberry.field(description="ISO 4217 code, lower case (`usd`).")


@strawberry.enum(description="Where a payment is.")
class PaymentStatus(Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REFUNDED = "refunded"


@strawberry.enum(description="Where a subscription is.")
class SubscriptionStatus(Enum):
    INCOMPLETE = "incomplete"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"


@strawberry.enum
class PlanInterval(Enum):
    MONTH = "month"
    YEAR = "year"


@strawberry.type(description="A subscription plan and the courses it unlocks.")
class Plan:
    id: strawberry.ID = strawberry.field(description="Pass as `planId` to `checkout`.")
    code: str
    name: str
    interval: PlanInterval
    price: Money
    all_courses: bool = strawberry.field(description="Unlocks every paid course.")
    tags: list[str] = strawberry.field(description="Otherwise: unlocks the courses carrying any of these tags.")

    @classmethod
    def from_row(cls, row: RowMapping) -> Plan:
        return cls(
            id=to_global_id("Plan", row["id"]),
            code=row["code"],
            name=row["name"],
            interval=PlanInterval(row["interval"]),
            price=Money(amount=row["amount_cents"], currency=row["currency"]),
            all_courses=row["all_courses"],
            tags=list(row["tags"]),
        )


@strawberry.type(description="One checkout: a course purchase or a subscription's first payment.")
class Payment:
    id: strawberry.ID = strawberry.field(description="Pass to `refundPayment` (admins).")
    status: PaymentStatus
    amount: Money
    course_id: strawberry.ID | None = strawberry.field(description="The course bought, if a course.")
    plan_id: strawberry.ID | None = strawberry.field(description="The plan subscribed to, if a plan.")
    created_at: datetime
    succeeded_at: datetime | None
    refunded_at: datetime | None

    @classmethod
    def from_row(cls, row: RowMapping | dict[str, Any]) -> Payment:
        return cls(
            id=to_global_id("Payment", row["id"]),
            status=PaymentStatus(row["status"]),
            amount=Money(amount=row["amount_cents"], currency=row["currency"]),
            course_id=to_global_id("Course", row["course_id"]) if row["course_id"] else None,
            plan_id=to_global_id("Plan", row["plan_id"]) if row["plan_id"] else None,
            created_at=row["created_at"],
            succeeded_at=row["succeeded_at"],
            refunded_at=row["refunded_at"],
        )


@strawberry.type(description="A subscription as the provider last reported it.")
class PlanSubscription:
    id: strawberry.ID
    status: SubscriptionStatus
    plan_id: strawberry.ID
    current_period_end: datetime | None = strawberry.field(description="Access lasts until this moment.")
    cancel_at_period_end: bool = strawberry.field(description="Will not renew: `cancelSubscription` was called.")

    @classmethod
    def from_row(cls, row: RowMapping) -> PlanSubscription:
        return cls(
            id=to_global_id("PlanSubscription", row["id"]),
            status=SubscriptionStatus(row["status"]),
            plan_id=to_global_id("Plan", row["plan_id"]),
            current_period_end=row["current_period_end"],
            cancel_at_period_end=row["cancel_at_period_end"],
        )


@strawberry.input(description="Buy a course (`courseId`) or subscribe to a plan (`planId`): exactly one.")
class CheckoutInput:
    course_id: strawberry.ID | None = strawberry.field(default=None, description="The course's id or content id.")
    plan_id: strawberry.ID | None = None
    idempotency_key: str = strawberry.field(
        description="Made by the app per purchase (8 to 100 characters): a retry with it returns the same checkout."
    )
    payment_method_id: str | None = strawberry.field(
        default=None, description="For a plan: the card's PaymentMethod id (`pm_...`) collected with Stripe.js."
    )


@strawberry.enum(description="Why a payment operation failed; stable across releases.")
class PaymentErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    FREE_COURSE = "FREE_COURSE"
    ALREADY_ENTITLED = "ALREADY_ENTITLED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    NOT_REFUNDABLE = "NOT_REFUNDABLE"
    NO_SUBSCRIPTION = "NO_SUBSCRIPTION"


@strawberry.type
class PaymentError:
    field: str | None = strawberry.field(description="The input at fault, e.g. `courseId`.")
    message: str
    code: PaymentErrorCode


@strawberry.type
class CheckoutPayload:
    payment: Payment | None = None
    client_secret: str | None = strawberry.field(
        default=None,
        description="A course purchase: confirm the PaymentIntent with it in Stripe.js (the same on a retry).",
    )
    subscription: PlanSubscription | None = None
    success_url: str | None = strawberry.field(default=None, description="Where the app sends the buyer after paying.")
    cancel_url: str | None = strawberry.field(default=None, description="Where the app sends a buyer who gives up.")
    errors: list[PaymentError] = strawberry.field(default_factory=list)


@strawberry.type
class PaymentPayload:
    payment: Payment | None = None
    errors: list[PaymentError] = strawberry.field(default_factory=list)


@strawberry.type
class SubscriptionPayload:
    subscription: PlanSubscription | None = None
    errors: list[PaymentError] = strawberry.field(default_factory=list)
