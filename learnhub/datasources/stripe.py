"""Stripe through the official SDK: the payment provider behind `learnhub.payments.provider`.

Async calls go through the SDK's httpx client (`*_async` methods), so a slow provider never
blocks the event loop. `STRIPE_API_URL` points the SDK at a Stripe-compatible server: the local
`localstripe` in development and tests (learnhub/embedded/stripe.py). That server implements
PaymentIntents, customers, payment methods, products, the Plans API, subscriptions and refunds,
but not Prices or Checkout Sessions (404), and it ignores `Idempotency-Key`; so purchases are
PaymentIntents confirmed by the client with their client secret, subscriptions use Plans, and
the gateway's own (user, key) uniqueness is what makes a retried checkout return the same one
(the key is still sent, for Stripe itself).

Failures are reduced to two kinds the domain acts on: `ProviderUnreachable` (refused, timed
out, 5xx: try again later) and `ProviderRejected` (the provider answered no).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import stripe

from learnhub.core.settings import Settings

T = TypeVar("T")


class ProviderUnreachable(Exception):
    """The provider did not answer usefully (connection refused, timeout, server error)."""


class ProviderRejected(Exception):
    """The provider answered and refused the request (bad card, unknown object, ...)."""


class BadSignature(Exception):
    """A webhook whose signature does not verify, or whose timestamp is outside the tolerance."""


@dataclass(frozen=True)
class ProviderPayment:
    ref: str
    status: str  # pending, succeeded, failed, refunded (the gateway's words)
    client_secret: str | None
    amount_cents: int
    currency: str


@dataclass(frozen=True)
class ProviderSubscription:
    ref: str
    customer_id: str | None
    status: str  # incomplete, active, past_due, canceled
    current_period_end: datetime | None
    cancel_at_period_end: bool


@dataclass(frozen=True)
class ProviderEvent:
    id: str
    type: str
    created: datetime
    object: dict[str, Any]


def _moment(seconds: Any) -> datetime | None:
    return datetime.fromtimestamp(int(seconds), UTC) if seconds is not None else None


def payment_status(intent: dict[str, Any]) -> str:
    """A PaymentIntent's state in the gateway's words; a refunded charge makes it `refunded`."""
    charge = intent.get("latest_charge")
    if isinstance(charge, dict) and charge.get("refunded"):
        return "refunded"
    status = intent.get("status")
    if status == "succeeded":
        return "succeeded"
    if status == "canceled" or intent.get("last_payment_error"):
        return "failed"
    return "pending"


def subscription_status(sub: dict[str, Any]) -> str:
    status = str(sub.get("status"))
    if status in ("active", "trialing"):
        return "active"
    if status in ("past_due", "unpaid"):
        return "past_due"
    if status in ("canceled", "incomplete_expired"):
        return "canceled"
    return "incomplete"


def _period_end(sub: dict[str, Any]) -> datetime | None:
    # Newer API versions keep the period on the subscription item; older ones on the subscription.
    end = sub.get("current_period_end")
    if end is None:
        items = (sub.get("items") or {}).get("data") or []
        end = items[0].get("current_period_end") if items else None
    return _moment(end)


def to_subscription(sub: dict[str, Any]) -> ProviderSubscription:
    customer = sub.get("customer")
    return ProviderSubscription(
        ref=str(sub["id"]),
        customer_id=customer if isinstance(customer, str) else (customer or {}).get("id"),
        status=subscription_status(sub),
        current_period_end=_period_end(sub),
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
    )


def _payment(intent: dict[str, Any]) -> ProviderPayment:
    return ProviderPayment(
        ref=str(intent["id"]),
        status=payment_status(intent),
        client_secret=intent.get("client_secret"),
        amount_cents=int(intent["amount"]),
        currency=str(intent["currency"]),
    )


class StripeProvider:
    """One SDK client per process (it holds an httpx connection pool)."""

    def __init__(self, settings: Settings) -> None:
        self._webhook_secret = settings.stripe_webhook_secret.get_secret_value()
        self._tolerance = settings.stripe_webhook_tolerance_seconds
        self._http = stripe.HTTPXClient(timeout=settings.stripe_timeout_seconds)
        addresses: Any = {"api": settings.stripe_api_url} if settings.stripe_api_url else None
        self._client = stripe.StripeClient(
            settings.stripe_api_key.get_secret_value(),
            base_addresses=addresses,
            # Retrying is the caller's choice (the checkout's idempotency key makes it safe); one
            # try keeps "provider down" to one timeout instead of several.
            max_network_retries=0,
            http_client=self._http,
        )

    async def _call(self, make: Callable[[], Awaitable[T]]) -> T:
        try:
            return await make()
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            raise ProviderUnreachable(str(exc.user_message or exc)) from exc
        except stripe.StripeError as exc:
            raise ProviderRejected(str(exc.user_message or exc)) from exc

    async def create_payment(
        self, *, amount_cents: int, currency: str, metadata: dict[str, str], idempotency_key: str
    ) -> ProviderPayment:
        intent = await self._call(
            lambda: self._client.v1.payment_intents.create_async(
                params={"amount": amount_cents, "currency": currency, "metadata": metadata},
                options={"idempotency_key": idempotency_key},
            )
        )
        return _payment(intent.to_dict())

    async def get_payment(self, ref: str) -> ProviderPayment:
        intent = await self._call(
            lambda: self._client.v1.payment_intents.retrieve_async(ref, params={"expand": ["latest_charge"]})
        )
        return _payment(intent.to_dict())

    async def refund(self, ref: str, idempotency_key: str) -> None:
        await self._call(
            lambda: self._client.v1.refunds.create_async(
                params={"payment_intent": ref}, options={"idempotency_key": idempotency_key}
            )
        )

    async def ensure_plan(self, *, plan_id: str, name: str, amount_cents: int, currency: str, interval: str) -> str:
        """The provider's plan with this id, created (with its product) when missing."""
        try:
            await self._call(lambda: self._client.v1.plans.retrieve_async(plan_id))
            return plan_id
        except ProviderRejected:
            pass
        product = await self._call(lambda: self._client.v1.products.create_async(params={"name": name}))
        await self._call(
            lambda: self._client.v1.plans.create_async(
                params={
                    "id": plan_id,
                    "amount": amount_cents,
                    "currency": currency,
                    "interval": interval,
                    "product": product.id,
                }
            )
        )
        return plan_id

    async def create_subscription(
        self,
        *,
        provider_plan_id: str,
        payment_method: str,
        email: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> ProviderSubscription:
        """A customer with the card the client collected (a PaymentMethod id from Stripe.js),
        then the subscription; its first invoice is charged at once."""
        customer = await self._call(
            lambda: self._client.v1.customers.create_async(
                params={"email": email, "metadata": metadata},
                options={"idempotency_key": f"{idempotency_key}:customer"},
            )
        )
        await self._call(
            lambda: self._client.v1.payment_methods.attach_async(payment_method, params={"customer": customer.id})
        )
        await self._call(
            lambda: self._client.v1.customers.update_async(
                customer.id, params={"invoice_settings": {"default_payment_method": payment_method}}
            )
        )
        sub = await self._call(
            lambda: self._client.v1.subscriptions.create_async(
                params={"customer": customer.id, "items": [{"plan": provider_plan_id}], "metadata": metadata},
                options={"idempotency_key": f"{idempotency_key}:subscription"},
            )
        )
        return to_subscription(sub.to_dict())

    async def get_subscription(self, ref: str) -> ProviderSubscription:
        sub = await self._call(lambda: self._client.v1.subscriptions.retrieve_async(ref))
        return to_subscription(sub.to_dict())

    async def cancel_at_period_end(self, ref: str) -> ProviderSubscription:
        sub = await self._call(
            lambda: self._client.v1.subscriptions.update_async(ref, params={"cancel_at_period_end": True})
        )
        return to_subscription(sub.to_dict())

    async def list_payments(self, limit: int = 100) -> list[ProviderPayment]:
        """The newest PaymentIntents (reconciliation looks them up one by one as well)."""
        page = await self._call(lambda: self._client.v1.payment_intents.list_async(params={"limit": limit}))
        return [_payment(intent.to_dict()) for intent in page.data]

    def parse_event(self, payload: bytes, signature: str | None) -> ProviderEvent:
        """Verify the `Stripe-Signature` header (HMAC-SHA256 with the signing secret, timestamp
        within the tolerance), then read the event. Raises BadSignature."""
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature or "", self._webhook_secret, self._tolerance
            )
            event = json.loads(payload)
            data = event["data"]["object"]
            return ProviderEvent(
                id=str(event["id"]),
                type=str(event["type"]),
                created=_moment(event["created"]) or datetime.now(UTC),
                object=dict(data),
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise BadSignature(str(exc)) from exc
