"""`POST /webhooks/stripe`: forged, replayed, duplicated and reordered events, and an event
that arrives before its checkout's row."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import func, select

from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import enrollments, payments, provider_events
from learnhub.payments.checkout import Buyer, record_checkout
from learnhub.payments.events import apply_event
from learnhub.payments.provider import ProviderEvent
from tests.payments.conftest import bought, event, paid_course, post_event
from tests.support.data import StoreAccess, register, unique, user_id_of


async def _events_with(stores: StoreAccess, event_id: str) -> int:
    async with stores.engine.connect() as conn:
        stmt = select(func.count()).select_from(provider_events).where(provider_events.c.id == event_id)
        return int((await conn.execute(stmt)).scalar_one())


async def _status(stores: StoreAccess, intent: str) -> str:
    async with stores.engine.connect() as conn:
        return str(
            (await conn.execute(select(payments.c.status).where(payments.c.provider_ref == intent))).scalar_one()
        )


async def _enrollment(stores: StoreAccess, token: str, course_id: uuid.UUID) -> str:
    async with stores.engine.connect() as conn:
        stmt = select(enrollments.c.status).where(
            enrollments.c.user_id == user_id_of(token), enrollments.c.course_id == course_id
        )
        return str((await conn.execute(stmt)).scalar_one())


async def test_a_forged_signature_is_refused_and_nothing_written(http: httpx.AsyncClient, settings: Settings) -> None:
    evt = event("payment_intent.succeeded", {"id": "pi_forged", "object": "payment_intent"})
    answer = await post_event(http, settings, evt, key="whsec_someone_else")
    assert answer.status_code == 400
    assert answer.json()["error"] == "BAD_SIGNATURE"
    unsigned = await http.post("/webhooks/stripe", content=b"{}", headers={"content-type": "application/json"})
    assert unsigned.status_code == 400


async def test_a_replayed_event_outside_the_tolerance_is_refused(
    http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, stripe_webhooks: str
) -> None:
    sale = await bought(http, stores, settings)
    stale = int(time.time()) - settings.stripe_webhook_tolerance_seconds - 60
    evt = event("charge.refunded", {"id": "ch_x", "object": "charge", "payment_intent": sale.intent}, created=stale)
    answer = await post_event(http, settings, evt, at=stale)
    assert answer.status_code == 400
    assert await _events_with(stores, evt["id"]) == 0
    assert await _status(stores, sale.intent) == "succeeded"


async def test_a_duplicate_is_applied_once(
    http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, stripe_webhooks: str
) -> None:
    sale = await bought(http, stores, settings)
    evt = event("charge.refunded", {"id": "ch_dup", "object": "charge", "payment_intent": sale.intent})
    first, second = await post_event(http, settings, evt), await post_event(http, settings, evt)
    assert (first.status_code, first.json()["outcome"]) == (200, "applied")
    assert (second.status_code, second.json()["outcome"]) == (200, "duplicate")
    assert await _events_with(stores, evt["id"]) == 1
    assert await _status(stores, sale.intent) == "refunded"


async def test_refund_after_a_dispute_and_success_after_refund_end_refunded(
    http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, stripe_webhooks: str
) -> None:
    sale = await bought(http, stores, settings)
    now = int(time.time())
    charge = {"id": "ch_d", "object": "charge", "payment_intent": sale.intent}
    dispute = {"id": "dp_1", "object": "dispute", "payment_intent": sale.intent, "status": "needs_response"}
    for evt in (
        event("charge.dispute.created", dispute, created=now),
        event("charge.refunded", charge, created=now + 1),
        # A late success (sent before the refund, delivered after it) does not bring the payment back.
        event("payment_intent.succeeded", {"id": sale.intent, "object": "payment_intent"}, created=now - 5),
    ):
        assert (await post_event(http, settings, evt)).status_code == 200
    assert await _status(stores, sale.intent) == "refunded"
    assert await _enrollment(stores, sale.token, sale.course_id) == "suspended"


async def test_an_event_before_its_checkout_row_is_kept_and_applied_when_the_row_is_written(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    token, email = await register(http)
    course_id, _, _, _ = await paid_course(stores)
    intent = f"pi_early_{uuid.uuid4().hex[:12]}"
    early = ProviderEvent(
        id=f"evt_{uuid.uuid4().hex[:20]}",
        type="payment_intent.succeeded",
        created=datetime.now(UTC),
        object={"id": intent, "object": "payment_intent"},
    )
    assert await apply_event(stores.engine, early) == "parked"
    made = await record_checkout(
        stores.engine,
        Buyer(user_id_of(token), email),
        unique("key"),
        {"id": uuid.uuid4(), "course_id": course_id, "plan_id": None, "amount_cents": 2500, "currency": "usd",
         "provider_ref": intent, "client_secret": f"{intent}_secret_x"},
        subscription=None,
    )  # fmt: skip
    assert made.payment["status"] == "succeeded"
    assert await apply_event(stores.engine, early) == "duplicate"
