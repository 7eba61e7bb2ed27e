"""A course bought end to end through the local Stripe server: checkout, payment by card, the
server's own webhook to the live gateway, enrollment; and checkouts that must not happen."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.engine import RowMapping

from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import analytics_events, courses, payments
from learnhub.embedded.base import free_port
from learnhub.graphql.relay.node import from_global_id, to_global_id
from tests.payments.conftest import paid_course, pay, payment_is, until
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register, unique, user_id_of
from tests.support.servers import GatewayFactory

CHECKOUT = """
mutation($input: CheckoutInput!) { checkout(input: $input) {
  payment { id status amount { amount currency } courseId }
  clientSecret successUrl errors { code field message } } }
"""
ENROLL = "mutation($id: ID!) { enroll(courseId: $id) { enrollment { status } errors { code } } }"
MY_PAYMENTS = "{ me { payments(first: 10) { totalCount nodes { id status amount { amount currency } } } } }"
BODY = "query($id: ID!) { lesson(id: $id) { body { text } } }"


async def _payment_count(stores: StoreAccess, user_id: uuid.UUID) -> int:
    async with stores.engine.connect() as conn:
        stmt = select(func.count()).select_from(payments).where(payments.c.user_id == user_id)
        return int((await conn.execute(stmt)).scalar_one())


async def _payment_event(stores: StoreAccess, user_id: uuid.UUID) -> RowMapping | None:
    async with stores.engine.connect() as conn:
        stmt = select(analytics_events.c.course_id, analytics_events.c.context).where(
            analytics_events.c.user_id == user_id, analytics_events.c.name == "payment_succeeded"
        )
        return (await conn.execute(stmt)).mappings().first()


def _raw_id(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def test_purchase_then_webhook_then_enroll(
    http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, stripe_webhooks: str
) -> None:
    token, _ = await register(http)
    course_id, content_id, lessons, _ = await paid_course(stores, 2500)
    course_gid = to_global_id("Course", course_id)

    refused = await gql(http, ENROLL, {"id": course_gid}, token=token)
    assert refused["data"]["enroll"]["errors"] == [{"code": "PAYMENT_REQUIRED"}]
    price = await gql(http, "query($id: ID!) { course(id: $id) { price { amount currency } } }", {"id": course_gid})
    assert price["data"]["course"]["price"] == {"amount": 2500, "currency": "usd"}

    key = unique("key")
    first = (await gql(http, CHECKOUT, {"input": {"courseId": content_id, "idempotencyKey": key}}, token=token))[
        "data"
    ]["checkout"]
    assert first["errors"] == []
    assert first["payment"]["status"] == "PENDING"
    assert first["payment"]["amount"] == {"amount": 2500, "currency": "usd"}
    assert first["clientSecret"].startswith("pi_")
    again = (await gql(http, CHECKOUT, {"input": {"courseId": content_id, "idempotencyKey": key}}, token=token))[
        "data"
    ]["checkout"]
    assert again["payment"]["id"] == first["payment"]["id"]
    assert again["clientSecret"] == first["clientSecret"]
    assert await _payment_count(stores, user_id_of(token)) == 1

    intent = await pay(settings, first["clientSecret"])  # localstripe then posts payment_intent.succeeded
    await until(lambda: payment_is(stores, intent, "succeeded"))
    mine = (await gql(http, MY_PAYMENTS, token=token))["data"]["me"]["payments"]
    assert mine["totalCount"] == 1
    assert mine["nodes"][0]["status"] == "SUCCEEDED"
    enrolled = await gql(http, ENROLL, {"id": course_gid}, token=token)
    assert enrolled["data"]["enroll"] == {"enrollment": {"status": "ACTIVE"}, "errors": []}
    body = await gql(http, BODY, {"id": lessons[0]}, token=token)
    assert body["data"]["lesson"]["body"] is not None
    # The sale is an analytics event once the gateway's buffer flushes: amount and currency, no float.
    sale = await until(lambda: _payment_event(stores, user_id_of(token)))
    assert sale["course_id"] == content_id
    payment_id = str(uuid.UUID(_raw_id(first["payment"]["id"])))
    assert sale["context"] == {"paymentId": payment_id, "amount": 2500, "currency": "usd"}

    # Bought once: a second checkout with a new key is refused, nothing written.
    second = await gql(
        http, CHECKOUT, {"input": {"courseId": content_id, "idempotencyKey": unique("key")}}, token=token
    )
    assert [e["code"] for e in second["data"]["checkout"]["errors"]] == ["ALREADY_ENTITLED"]
    assert await _payment_count(stores, user_id_of(token)) == 1


async def test_checkouts_that_cannot_happen_write_nothing(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await register(http)
    _, free_content, _ = await make_course(stores, with_content=False)
    hidden_id, hidden_content, _, _ = await paid_course(stores)
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == hidden_id).values(published=False))
    cases = {
        "FREE_COURSE": {"courseId": free_content},
        "NOT_FOUND": {"courseId": hidden_content},  # unpublished: hidden from students, like an unknown id
        "INVALID": {"courseId": free_content, "planId": to_global_id("Plan", uuid.uuid4())},
    }
    for code, target in cases.items():
        body = await gql(http, CHECKOUT, {"input": {**target, "idempotencyKey": unique("key")}}, token=token)
        assert [e["code"] for e in body["data"]["checkout"]["errors"]] == [code], body
    plan = await gql(
        http,
        CHECKOUT,
        {"input": {"planId": to_global_id("Plan", uuid.uuid4()), "idempotencyKey": unique("key"),
                   "paymentMethodId": "pm_card_visa"}},
        token=token,
    )  # fmt: skip
    assert [(e["code"], e["field"]) for e in plan["data"]["checkout"]["errors"]] == [("NOT_FOUND", "planId")]
    short_key = await gql(http, CHECKOUT, {"input": {"courseId": free_content, "idempotencyKey": "x"}}, token=token)
    assert [e["field"] for e in short_key["data"]["checkout"]["errors"]] == ["idempotencyKey"]
    assert await _payment_count(stores, user_id_of(token)) == 0


async def test_provider_down_checkout_fails_learning_goes_on(
    gateway_factory: GatewayFactory, stores: StoreAccess
) -> None:
    server = gateway_factory(stripe_api_url=f"http://127.0.0.1:{free_port()}", stripe_timeout_seconds=2)
    _, content_id, _, _ = await paid_course(stores)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        token, _ = await register(client)
        body = await gql(
            client, CHECKOUT, {"input": {"courseId": content_id, "idempotencyKey": unique("key")}}, token=token,
            expect_errors=True,
        )  # fmt: skip
        assert [e["extensions"]["code"] for e in body["errors"]] == ["PAYMENT_PROVIDER_UNAVAILABLE"]
        assert await _payment_count(stores, user_id_of(token)) == 0
        # Browsing and learning do not need the provider.
        browsed = await gql(client, "{ courses(first: 5) { nodes { title price { amount } } } }", token=token)
        assert browsed["data"]["courses"]["nodes"]
        me = await gql(client, MY_PAYMENTS, token=token)
        assert me["data"]["me"]["payments"]["totalCount"] == 0
