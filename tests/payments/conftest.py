"""Payments against the local Stripe server: the gateway's webhooks configured on it, a card
payment made as Stripe.js would make it, and events signed as Stripe signs them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import courses, payments
from learnhub.embedded.stripe import configure_webhook
from learnhub.graphql.relay.node import to_global_id
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register, unique
from tests.support.servers import LiveServer


@pytest.fixture(scope="session")
def stripe_webhooks(settings: Settings, live: LiveServer) -> str:
    """The local Stripe server posts its events to the session's gateway."""
    assert settings.stripe_api_url is not None
    configure_webhook(settings.stripe_api_url, f"{live.url}/webhooks/stripe", secret(settings))
    return live.url


def secret(settings: Settings) -> str:
    return settings.stripe_webhook_secret.get_secret_value()


def stripe_api(settings: Settings) -> httpx.AsyncClient:
    """Plain HTTP to the local Stripe server, as a client app or the dashboard would reach it."""
    assert settings.stripe_api_url is not None
    return httpx.AsyncClient(
        base_url=settings.stripe_api_url, auth=(settings.stripe_api_key.get_secret_value(), ""), timeout=10
    )


async def card(settings: Settings) -> str:
    """A test card's PaymentMethod id (what Stripe.js makes in the browser)."""
    async with stripe_api(settings) as api:
        made = await api.post(
            "/v1/payment_methods",
            data={"type": "card", "card[number]": "4242424242424242", "card[exp_month]": "12",
                  "card[exp_year]": "2034", "card[cvc]": "123"},
        )  # fmt: skip
        made.raise_for_status()
        return str(made.json()["id"])


async def pay(settings: Settings, client_secret: str) -> str:
    """Pay a PaymentIntent by its client secret with a test card; returns the PaymentIntent id."""
    intent = client_secret.split("_secret_", maxsplit=1)[0]
    method = await card(settings)
    async with stripe_api(settings) as api:
        (await api.post(f"/v1/payment_intents/{intent}", data={"payment_method": method})).raise_for_status()
        confirmed = await api.post(f"/v1/payment_intents/{intent}/confirm")
        confirmed.raise_for_status()
        assert confirmed.json()["status"] == "succeeded"
    return intent


def signed(
    settings: Settings, event: dict[str, Any], *, at: int | None = None, key: str | None = None
) -> tuple[bytes, str]:
    """(body, Stripe-Signature header) as Stripe signs a webhook: HMAC-SHA256 of `t.body`."""
    body = json.dumps(event).encode()
    moment = int(time.time()) if at is None else at
    mac = hmac.new((key or secret(settings)).encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={moment},v1={mac}"


def event(type_: str, obj: dict[str, Any], *, created: int | None = None) -> dict[str, Any]:
    return {
        "id": f"evt_{uuid.uuid4().hex[:20]}",
        "object": "event",
        "type": type_,
        "created": int(time.time()) if created is None else created,
        "data": {"object": obj},
    }


async def post_event(http: httpx.AsyncClient, settings: Settings, evt: dict[str, Any], **sign: Any) -> httpx.Response:
    body, header = signed(settings, evt, **sign)
    return await http.post(
        "/webhooks/stripe", content=body, headers={"stripe-signature": header, "content-type": "application/json"}
    )


async def until(check: Callable[[], Awaitable[Any]], within: float = 15.0) -> Any:
    """Poll `check` until it returns something truthy, or fail at the deadline."""
    deadline = time.monotonic() + within
    while True:
        if result := await check():
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await _tick()


async def _tick() -> None:
    import asyncio

    await asyncio.sleep(0.05)  # a poll interval, not synchronisation: `until` waits on the condition


async def paid_course(stores: StoreAccess, price_cents: int = 2500) -> tuple[uuid.UUID, str, list[str], str]:
    """A published course for sale with a tag of its own: (row id, content id, lesson ids, tag)."""
    course_id, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=2)
    tag = unique("tag")
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == course_id).values(price_cents=price_cents, tags=[tag]))
    return course_id, content_id, lessons, tag


CHECKOUT = """
mutation($input: CheckoutInput!) { checkout(input: $input) {
  payment { id status amount { amount currency } courseId }
  subscription { id status currentPeriodEnd cancelAtPeriodEnd }
  clientSecret errors { code field message } } }
"""
MY_PAYMENTS = "{ me { payments(first: 10) { totalCount nodes { id status amount { amount currency } } } } }"
ENROLL = "mutation($id: ID!) { enroll(courseId: $id) { enrollment { status } errors { code } } }"


@dataclass
class Bought:
    token: str
    course_id: uuid.UUID
    content_id: str
    lessons: list[str]
    tag: str
    payment_gid: str
    intent: str


async def bought(http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, *, enrolled: bool = True) -> Bought:
    """A student who bought a fresh paid course (paid at the local Stripe server, its webhook
    applied) and enrolled in it."""
    token, _ = await register(http)
    course_id, content_id, lessons, tag = await paid_course(stores)
    made = (
        await gql(http, CHECKOUT, {"input": {"courseId": content_id, "idempotencyKey": unique("key")}}, token=token)
    )["data"]["checkout"]
    intent = await pay(settings, made["clientSecret"])

    await until(lambda: payment_is(stores, intent, "succeeded"))
    if enrolled:
        answer = await gql(http, ENROLL, {"id": to_global_id("Course", course_id)}, token=token)
        assert answer["data"]["enroll"]["errors"] == []
    return Bought(token, course_id, content_id, lessons, tag, made["payment"]["id"], intent)


async def payment_is(stores: StoreAccess, intent: str, status: str) -> bool:
    """Read from the store, not through the API: the webhook may land between the two executions
    the suite compares for every query."""
    async with stores.engine.connect() as conn:
        found = (await conn.execute(select(payments.c.status).where(payments.c.provider_ref == intent))).scalar()
    return found == status
