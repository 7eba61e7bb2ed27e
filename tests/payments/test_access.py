"""Entitlement on every protected path: a refund ends access (enrollment suspended, progress
kept); a subscription unlocks the courses its plan covers, a lapse suspends them and a renewal
restores them; reconciliation repairs a refund no webhook reported."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert, select

from learnhub.core.ids import uuid7
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import enrollments, lesson_progress, payments, plans
from learnhub.datasources.stores import Stores
from learnhub.graphql.relay.node import to_global_id
from learnhub.payments.reconcile import reconcile
from tests.payments.conftest import (
    CHECKOUT,
    ENROLL,
    Bought,
    bought,
    card,
    event,
    paid_course,
    post_event,
    stripe_api,
)
from tests.support.client import gql
from tests.support.data import StoreAccess, register, unique, user_id_of
from tests.support.quizzes import questions
from tests.support.world import account_with_role

BODY = "query($id: ID!) { lesson(id: $id) { body { text } } }"
START = "mutation($q: ID!) { startQuizAttempt(quizId: $q) { attempt { id } errors { code } } }"
REFUND = "mutation($id: ID!) { refundPayment(paymentId: $id) { payment { status } errors { code } } }"
MY_COURSES = "{ me { enrollments(first: 20) { nodes { status course { contentId } } } } }"


async def _quiz(stores: StoreAccess, content_id: str) -> str:
    slug = unique("q")
    await stores.db["questions"].insert_many(questions(slug))
    quiz_id = f"quiz:{slug}"
    await stores.db["quiz_content"].insert_one(
        {"_id": quiz_id, "course_id": content_id, "title": "Q", "settings": {"pass_percent": 60},
         "question_ids": [q["_id"] for q in questions(slug)], "published": True, "version": 1}
    )  # fmt: skip
    return quiz_id


async def _access(http: httpx.AsyncClient, token: str, lesson: str, quiz_id: str) -> tuple[bool, list[str]]:
    """(may read the lesson body, codes of a quiz start)."""
    body = (await gql(http, BODY, {"id": lesson}, token=token, expect_errors=True))["data"]["lesson"]["body"]
    started = (await gql(http, START, {"q": quiz_id}, token=token))["data"]["startQuizAttempt"]
    return body is not None, [e["code"] for e in started["errors"]]


async def _enrollment_status(stores: StoreAccess, user_id: uuid.UUID, course_id: uuid.UUID) -> str:
    async with stores.engine.connect() as conn:
        stmt = select(enrollments.c.status).where(
            enrollments.c.user_id == user_id, enrollments.c.course_id == course_id
        )
        return str((await conn.execute(stmt)).scalar_one())


async def test_refund_ends_access_on_every_path_and_keeps_progress(
    http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, stripe_webhooks: str
) -> None:
    sale = await bought(http, stores, settings)
    quiz_id = await _quiz(stores, sale.content_id)
    user_id = user_id_of(sale.token)
    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(lesson_progress).values(
                id=uuid7(), user_id=user_id, course_id=sale.course_id, lesson_content_id=sale.lessons[0], position=0.5
            )
        )
    readable, codes = await _access(http, sale.token, sale.lessons[1], quiz_id)
    assert readable
    assert codes == []

    admin, _ = await account_with_role(http, stores, "admin")
    student_refund = await gql(http, REFUND, {"id": sale.payment_gid}, token=sale.token, expect_errors=True)
    assert student_refund["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    refunded = await gql(http, REFUND, {"id": sale.payment_gid}, token=admin)
    assert refunded["data"]["refundPayment"] == {"payment": {"status": "REFUNDED"}, "errors": []}

    assert await _enrollment_status(stores, user_id, sale.course_id) == "suspended"
    listed = (await gql(http, MY_COURSES, token=sale.token))["data"]["me"]["enrollments"]["nodes"]
    assert {"status": "SUSPENDED", "course": {"contentId": sale.content_id}} in listed
    readable, codes = await _access(http, sale.token, sale.lessons[1], await _quiz(stores, sale.content_id))
    assert not readable
    assert codes == ["NOT_ENROLLED"]
    enroll = await gql(http, ENROLL, {"id": to_global_id("Course", sale.course_id)}, token=sale.token)
    assert enroll["data"]["enroll"]["errors"] == [{"code": "PAYMENT_REQUIRED"}]
    async with stores.engine.connect() as conn:
        kept = (
            await conn.execute(select(lesson_progress.c.position).where(lesson_progress.c.user_id == user_id))
        ).all()
    assert [row[0] for row in kept] == [0.5]
    # Refunding again changes nothing.
    again = await gql(http, REFUND, {"id": sale.payment_gid}, token=admin)
    assert again["data"]["refundPayment"]["payment"] == {"status": "REFUNDED"}


async def _plan(stores: StoreAccess, tag: str) -> uuid.UUID:
    plan_id = uuid7()
    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(plans).values(id=plan_id, code=unique("plan"), name="Tagged monthly", interval="month",
                                 amount_cents=900, currency="usd", all_courses=False, tags=[tag])
        )  # fmt: skip
    return plan_id


def _sub_object(ref: str, status: str, period_end: datetime, *, cancel: bool = False) -> dict[str, Any]:
    return {
        "id": ref,
        "object": "subscription",
        "status": status,
        "current_period_end": int(period_end.timestamp()),
        "cancel_at_period_end": cancel,
        "customer": "cus_x",
    }


async def test_subscription_unlocks_lapses_and_renews(
    http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, stripe_webhooks: str
) -> None:
    token, _ = await register(http)
    course_id, content_id, lessons, tag = await paid_course(stores)
    other_id, _, _, _ = await paid_course(stores)  # not covered by the plan
    plan_id = await _plan(stores, tag)
    made = (
        await gql(
            http,
            CHECKOUT,
            {"input": {"planId": to_global_id("Plan", plan_id), "idempotencyKey": unique("key"),
                       "paymentMethodId": await card(settings)}},
            token=token,
        )
    )["data"]["checkout"]  # fmt: skip
    assert made["errors"] == []
    assert made["subscription"]["status"] == "ACTIVE"
    assert made["payment"]["status"] == "SUCCEEDED"

    covered = await gql(http, ENROLL, {"id": to_global_id("Course", course_id)}, token=token)
    assert covered["data"]["enroll"]["enrollment"] == {"status": "ACTIVE"}
    not_covered = await gql(http, ENROLL, {"id": to_global_id("Course", other_id)}, token=token)
    assert not_covered["data"]["enroll"]["errors"] == [{"code": "PAYMENT_REQUIRED"}]
    quiz_id = await _quiz(stores, content_id)
    assert (await _access(http, token, lessons[0], quiz_id))[0]

    async with stores.engine.connect() as conn:
        ref = (await conn.execute(select(payments.c.provider_ref).where(payments.c.plan_id == plan_id))).scalar_one()
    user_id, now = user_id_of(token), int(time.time())
    # The renewal payment failed: past due, access ends, progress stays.
    lapsed = event("customer.subscription.updated", _sub_object(ref, "past_due", datetime.now(UTC)), created=now + 1)
    assert (await post_event(http, settings, lapsed)).status_code == 200
    assert await _enrollment_status(stores, user_id, course_id) == "suspended"
    readable, codes = await _access(http, token, lessons[0], await _quiz(stores, content_id))
    assert not readable
    assert codes == ["NOT_ENROLLED"]
    # An older report arriving late changes nothing.
    older = event(
        "customer.subscription.updated", _sub_object(ref, "active", datetime.now(UTC) + timedelta(days=30)),
        created=now - 100,
    )  # fmt: skip
    await post_event(http, settings, older)
    assert await _enrollment_status(stores, user_id, course_id) == "suspended"
    # Renewed: active for another month, access back.
    renewed_until = datetime.now(UTC) + timedelta(days=31)
    renewed = event("customer.subscription.updated", _sub_object(ref, "active", renewed_until), created=now + 2)
    await post_event(http, settings, renewed)
    assert await _enrollment_status(stores, user_id, course_id) == "active"
    assert (await _access(http, token, lessons[0], await _quiz(stores, content_id)))[0]

    cancelled = (
        await gql(
            http,
            "mutation { cancelSubscription { subscription { status cancelAtPeriodEnd } errors { code } } }",
            token=token,
        )
    )["data"]["cancelSubscription"]
    assert cancelled == {"subscription": {"status": "ACTIVE", "cancelAtPeriodEnd": True}, "errors": []}
    me = await gql(http, "{ me { subscription { status cancelAtPeriodEnd } } }", token=token)
    assert me["data"]["me"]["subscription"] == {"status": "ACTIVE", "cancelAtPeriodEnd": True}
    # The period ends with no renewal: the subscription is deleted at the provider.
    ended = event("customer.subscription.deleted", _sub_object(ref, "canceled", renewed_until, cancel=True),
                  created=now + 3)  # fmt: skip
    await post_event(http, settings, ended)
    assert await _enrollment_status(stores, user_id, course_id) == "suspended"


async def test_reconcile_repairs_a_refund_no_webhook_reported(
    http: httpx.AsyncClient, stores: StoreAccess, settings: Settings, stripe_webhooks: str
) -> None:
    sale: Bought = await bought(http, stores, settings)
    # Refunded at the provider (the dashboard): the local server sends no `charge.refunded`.
    async with stripe_api(settings) as api:
        (await api.post("/v1/refunds", data={"payment_intent": sale.intent})).raise_for_status()
    async with stores.engine.connect() as conn:
        stmt = select(payments.c.status).where(payments.c.provider_ref == sale.intent)
        assert (await conn.execute(stmt)).scalar_one() == "succeeded"

    opened = await Stores.open(settings)
    try:
        report = await reconcile(opened)
        again = await reconcile(opened)
    finally:
        await opened.close()
    assert any(sale.intent and line.endswith("succeeded -> refunded") for line in report.repaired)
    assert not any(str(sale.payment_gid) in line for line in again.repaired)
    assert not [line for line in again.repaired if "succeeded -> refunded" in line and line in report.repaired]
    async with stores.engine.connect() as conn:
        stmt = select(payments.c.status).where(payments.c.provider_ref == sale.intent)
        assert (await conn.execute(stmt)).scalar_one() == "refunded"
    assert await _enrollment_status(stores, user_id_of(sale.token), sale.course_id) == "suspended"
