"""The payment provider as the domain sees it: a few calls, two failure kinds.

`StripeProvider` (learnhub/datasources/stripe.py) is the implementation; anything with these
methods would do (the Protocol is structural, so the datasource does not import the domain).
One provider per event loop: its httpx pool belongs to the loop that made it.
"""

from __future__ import annotations

import asyncio
from typing import Protocol
from weakref import WeakKeyDictionary

from learnhub.core.settings import Settings
from learnhub.datasources.stripe import (
    BadSignature,
    ProviderEvent,
    ProviderPayment,
    ProviderRejected,
    ProviderSubscription,
    ProviderUnreachable,
    StripeProvider,
)

__all__ = [
    "BadSignature",
    "PaymentProvider",
    "ProviderEvent",
    "ProviderPayment",
    "ProviderRejected",
    "ProviderSubscription",
    "ProviderUnreachable",
    "provider_for",
]


class PaymentProvider(Protocol):
    async def create_payment(
        self, *, amount_cents: int, currency: str, metadata: dict[str, str], idempotency_key: str
    ) -> ProviderPayment: ...

    async def get_payment(self, ref: str) -> ProviderPayment: ...

    async def refund(self, ref: str, idempotency_key: str) -> None: ...

    async def ensure_plan(self, *, plan_id: str, name: str, amount_cents: int, currency: str, interval: str) -> str: ...

    async def create_subscription(
        self,
        *,
        provider_plan_id: str,
        payment_method: str,
        email: str,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> ProviderSubscription: ...

    async def get_subscription(self, ref: str) -> ProviderSubscription: ...

    async def cancel_at_period_end(self, ref: str) -> ProviderSubscription: ...

    def parse_event(self, payload: bytes, signature: str | None) -> ProviderEvent: ...


_PROVIDERS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[object, ...], StripeProvider]] = WeakKeyDictionary()


def provider_for(settings: Settings) -> PaymentProvider:
    """The provider these settings name, made once per event loop."""
    key = (
        settings.stripe_api_url,
        settings.stripe_api_key.get_secret_value(),
        settings.stripe_webhook_secret.get_secret_value(),
        settings.stripe_webhook_tolerance_seconds,
        settings.stripe_timeout_seconds,
    )
    made = _PROVIDERS.setdefault(asyncio.get_running_loop(), {})
    if key not in made:
        made[key] = StripeProvider(settings)
    return made[key]
