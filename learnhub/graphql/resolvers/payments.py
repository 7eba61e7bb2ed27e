"""Checkout, cancelling a subscription, the plan list, and refunds (admins)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from learnhub.datasources.postgres import payments as payment_rows
from learnhub.graphql.context import Info
from learnhub.graphql.relay.node import expect_uuid
from learnhub.graphql.types.payments import (
    CheckoutInput,
    CheckoutPayload,
    Payment,
    PaymentError,
    PaymentErrorCode,
    PaymentPayload,
    Plan,
    PlanSubscription,
    SubscriptionPayload,
)
from learnhub.payments import checkout as checkouts
from learnhub.payments import manage


def _errors(refused: checkouts.Refused | manage.Refused) -> list[PaymentError]:
    return [PaymentError(field=refused.field, message=refused.message, code=PaymentErrorCode(refused.code))]


async def checkout(info: Info, data: Annotated[CheckoutInput, strawberry.argument(name="input")]) -> CheckoutPayload:
    ctx = info.context
    user_id = ctx.require_user()
    if (data.course_id is None) == (data.plan_id is None):
        refused = checkouts.Refused("INVALID", "Give a courseId or a planId, not both", "courseId")
        return CheckoutPayload(errors=_errors(refused))
    user = await ctx.loaders.user_by_id.load(user_id)
    buyer = checkouts.Buyer(user_id=user_id, email=user["email"] if user is not None else "")
    if data.course_id is not None:
        given = str(data.course_id)
        if given.startswith("course:"):
            course = await ctx.loaders.course_by_content_id.load(given)
        else:
            course = await ctx.loaders.course_by_id.load(expect_uuid(given, "Course"))
        outcome = await checkouts.buy_course(ctx.stores, buyer, course, data.idempotency_key)
    else:
        plan_id = expect_uuid(str(data.plan_id), "Plan")
        outcome = await checkouts.subscribe(ctx.stores, buyer, plan_id, data.idempotency_key, data.payment_method_id)
    if isinstance(outcome, checkouts.Refused):
        return CheckoutPayload(errors=_errors(outcome))
    return CheckoutPayload(
        payment=Payment.from_row(outcome.payment),
        client_secret=outcome.client_secret,
        subscription=PlanSubscription.from_row(outcome.subscription) if outcome.subscription is not None else None,
        success_url=ctx.settings.payment_success_url,
        cancel_url=ctx.settings.payment_cancel_url,
    )


async def cancel_subscription(info: Info) -> SubscriptionPayload:
    ctx = info.context
    outcome = await manage.cancel_subscription(ctx.stores, ctx.require_user())
    if isinstance(outcome, manage.Refused):
        return SubscriptionPayload(errors=_errors(outcome))
    return SubscriptionPayload(subscription=PlanSubscription.from_row(outcome))


async def refund_payment(
    info: Info, payment_id: Annotated[strawberry.ID, strawberry.argument(name="paymentId")]
) -> PaymentPayload:
    outcome = await manage.refund(info.context.stores, expect_uuid(str(payment_id), "Payment"))
    if isinstance(outcome, manage.Refused):
        return PaymentPayload(errors=_errors(outcome))
    return PaymentPayload(payment=Payment.from_row(outcome))


async def plans(info: Info) -> list[Plan]:
    return [Plan.from_row(row) for row in await payment_rows.active_plans(info.context.stores.engine)]
