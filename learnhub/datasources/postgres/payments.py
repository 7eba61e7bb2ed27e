"""Plans, payments, subscriptions and provider events; and the one SQL rule of entitlement.

Writes take a connection: the domain (learnhub/payments/) composes them into one transaction,
so an event is recorded and applied, or neither.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, case, exists, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.pagination import Listing
from learnhub.datasources.postgres.raw import Args, names
from learnhub.datasources.postgres.tables import (
    courses,
    enrollments,
    payments,
    plans,
    provider_events,
    subscriptions,
    utcnow,
)

# What a payment's owner sees; never the client secret (only the checkout that made it returns it).
PAYMENT_COLUMNS = (
    payments.c.id,
    payments.c.user_id,
    payments.c.course_id,
    payments.c.plan_id,
    payments.c.amount_cents,
    payments.c.currency,
    payments.c.status,
    payments.c.provider_ref,
    payments.c.created_at,
    payments.c.succeeded_at,
    payments.c.refunded_at,
)
_PAYMENT_NAMES = names(*PAYMENT_COLUMNS)
SUBSCRIPTION_COLUMNS = tuple(subscriptions.c)
PLAN_COLUMNS = tuple(plans.c)


# --- entitlement: the one rule -------------------------------------------------------------------


def entitlement(user_id: Any, course: Table) -> ColumnElement[bool]:
    """The user may learn in `course` (a courses table or alias in the statement): it is free,
    or they hold a succeeded payment for it, or an active subscription, paid up to a moment
    still ahead, whose plan covers it (all courses, or a tag the course carries).

    `past_due` grants nothing: the renewal failed, the period it paid for is over. A subscription
    cancelled at period end stays `active` until then, so it keeps access to the end."""
    paid = exists().where(
        payments.c.user_id == user_id, payments.c.course_id == course.c.id, payments.c.status == "succeeded"
    )
    subscribed = (
        exists()
        .select_from(subscriptions.join(plans, plans.c.id == subscriptions.c.plan_id))
        .where(
            subscriptions.c.user_id == user_id,
            subscriptions.c.status == "active",
            subscriptions.c.current_period_end > func.now(),
            or_(plans.c.all_courses, plans.c.tags.overlap(course.c.tags)),
        )
    )
    return or_(course.c.price_cents == 0, paid, subscribed)


async def entitled(conn: AsyncConnection | AsyncEngine, user_id: uuid.UUID, course_id: uuid.UUID) -> bool:
    stmt = select(entitlement(user_id, courses)).where(courses.c.id == course_id)
    if isinstance(conn, AsyncEngine):
        async with conn.connect() as c:
            return bool((await c.execute(stmt)).scalar())
    return bool((await conn.execute(stmt)).scalar())


async def sync_enrollments(conn: AsyncConnection, user_id: uuid.UUID) -> tuple[int, int]:
    """Suspend the user's enrollments the rule no longer covers and restore suspended ones it
    covers again (to `completed` if they were completed): (suspended, restored). Progress rows
    are never touched."""
    now = utcnow()
    joined = and_(enrollments.c.course_id == courses.c.id, enrollments.c.user_id == user_id)
    suspend = (
        update(enrollments)
        .where(joined, enrollments.c.status.in_(("active", "completed")), ~entitlement(user_id, courses))
        .values(status="suspended", updated_at=now)
    )
    restore = (
        update(enrollments)
        .where(joined, enrollments.c.status == "suspended", entitlement(user_id, courses))
        .values(
            status=case((enrollments.c.completed_at.is_not(None), "completed"), else_="active"),
            updated_at=now,
        )
    )
    suspended = (await conn.execute(suspend)).rowcount
    restored = (await conn.execute(restore)).rowcount
    return suspended, restored


# --- plans ------------------------------------------------------------------------------------------


async def plan_by_id(conn: AsyncConnection, plan_id: uuid.UUID) -> RowMapping | None:
    return (await conn.execute(select(*PLAN_COLUMNS).where(plans.c.id == plan_id))).mappings().first()


async def active_plans(engine: AsyncEngine) -> Sequence[RowMapping]:
    stmt = select(*PLAN_COLUMNS).where(plans.c.active).order_by(plans.c.amount_cents, plans.c.id)
    async with engine.connect() as conn:
        return (await conn.execute(stmt)).mappings().all()


async def plans_by_ids(engine: AsyncEngine, ids: Sequence[uuid.UUID]) -> Sequence[RowMapping]:
    async with engine.connect() as conn:
        return (await conn.execute(select(*PLAN_COLUMNS).where(plans.c.id.in_(ids)))).mappings().all()


async def set_provider_plan(conn: AsyncConnection, plan_id: uuid.UUID, provider_plan_id: str) -> None:
    await conn.execute(update(plans).where(plans.c.id == plan_id).values(provider_plan_id=provider_plan_id))


async def insert_plan(conn: AsyncConnection, values: dict[str, Any]) -> None:
    """Add a plan unless one with its code exists (an edited plan is left as it is)."""
    await conn.execute(pg_insert(plans).values(id=uuid7(), **values).on_conflict_do_nothing())


# --- payments ---------------------------------------------------------------------------------------


async def payment_by_key(conn: AsyncConnection, user_id: uuid.UUID, key: str) -> RowMapping | None:
    stmt = select(*PAYMENT_COLUMNS, payments.c.client_secret).where(
        payments.c.user_id == user_id, payments.c.idempotency_key == key
    )
    return (await conn.execute(stmt)).mappings().first()


async def payment_by_id(conn: AsyncConnection, payment_id: uuid.UUID, *, lock: bool = False) -> RowMapping | None:
    stmt = select(*PAYMENT_COLUMNS).where(payments.c.id == payment_id)
    return (await conn.execute(stmt.with_for_update() if lock else stmt)).mappings().first()


async def payment_by_ref(conn: AsyncConnection, ref: str, *, lock: bool = False) -> RowMapping | None:
    stmt = select(*PAYMENT_COLUMNS).where(payments.c.provider_ref == ref)
    return (await conn.execute(stmt.with_for_update() if lock else stmt)).mappings().first()


async def insert_payment(conn: AsyncConnection, values: dict[str, Any]) -> bool:
    """Insert unless a row with the same (user, key), provider ref or id exists: True if inserted."""
    stmt = pg_insert(payments).values(**values).on_conflict_do_nothing().returning(payments.c.id)
    return (await conn.execute(stmt)).first() is not None


async def set_payment_status(conn: AsyncConnection, payment_id: uuid.UUID, status: str) -> RowMapping:
    now = utcnow()
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status == "succeeded":
        values["succeeded_at"] = now
    elif status == "refunded":
        values["refunded_at"] = now
    stmt = update(payments).where(payments.c.id == payment_id).values(**values).returning(*PAYMENT_COLUMNS)
    return (await conn.execute(stmt)).mappings().one()


async def set_client_secret(conn: AsyncConnection, payment_id: uuid.UUID, secret: str | None) -> None:
    if secret is not None:
        await conn.execute(
            update(payments)
            .where(payments.c.id == payment_id, payments.c.client_secret.is_(None))
            .values(client_secret=secret)
        )


def payments_of_user(user_id: uuid.UUID) -> Listing:
    """A user's payments, newest first."""
    args = Args()
    return Listing.of(_PAYMENT_NAMES, "payments", "payments.id", [f"payments.user_id = {args(user_id)}"], args)


async def open_payments(engine: AsyncEngine, limit: int) -> Sequence[RowMapping]:
    """Payments whose outcome the provider may know better: pending, and succeeded (refunds)."""
    stmt = (
        select(*PAYMENT_COLUMNS)
        .where(payments.c.provider_ref.is_not(None), payments.c.plan_id.is_(None))
        .where(payments.c.status.in_(("pending", "succeeded")))
        .order_by(payments.c.id.desc())
        .limit(limit)
    )
    async with engine.connect() as conn:
        return (await conn.execute(stmt)).mappings().all()


# --- subscriptions ------------------------------------------------------------------------------------


async def subscription_by_ref(conn: AsyncConnection, ref: str, *, lock: bool = False) -> RowMapping | None:
    stmt = select(*SUBSCRIPTION_COLUMNS).where(subscriptions.c.provider_ref == ref)
    return (await conn.execute(stmt.with_for_update() if lock else stmt)).mappings().first()


async def insert_subscription(conn: AsyncConnection, values: dict[str, Any]) -> bool:
    stmt = pg_insert(subscriptions).values(**values).on_conflict_do_nothing().returning(subscriptions.c.id)
    return (await conn.execute(stmt)).first() is not None


async def set_subscription_state(
    conn: AsyncConnection,
    subscription_id: uuid.UUID,
    *,
    status: str,
    current_period_end: datetime | None,
    cancel_at_period_end: bool,
    state_at: datetime,
    current: bool = False,
) -> RowMapping | None:
    """Take the state reported at `state_at` unless a newer report was applied already: None then.

    `current`: the provider's answer to a request just made (a cancellation, a reconciliation
    read); it is the newest state whatever the clocks say, and keeps the newest event time so
    an event sent before it still changes nothing."""
    newer = or_(subscriptions.c.state_at.is_(None), subscriptions.c.state_at <= state_at)
    stmt = (
        update(subscriptions)
        .where(subscriptions.c.id == subscription_id, true() if current else newer)
        .values(
            status=status,
            current_period_end=func.coalesce(current_period_end, subscriptions.c.current_period_end),
            cancel_at_period_end=cancel_at_period_end,
            state_at=func.greatest(subscriptions.c.state_at, state_at) if current else state_at,
            updated_at=utcnow(),
        )
        .returning(*SUBSCRIPTION_COLUMNS)
    )
    return (await conn.execute(stmt)).mappings().first()


async def current_subscription(engine: AsyncEngine, user_id: uuid.UUID) -> RowMapping | None:
    """The user's newest subscription that is not over (else their newest one)."""
    stmt = (
        select(*SUBSCRIPTION_COLUMNS)
        .where(subscriptions.c.user_id == user_id)
        .order_by((subscriptions.c.status == "canceled").asc(), subscriptions.c.id.desc())
        .limit(1)
    )
    async with engine.connect() as conn:
        return (await conn.execute(stmt)).mappings().first()


async def live_subscriptions(engine: AsyncEngine, limit: int) -> Sequence[RowMapping]:
    stmt = (
        select(*SUBSCRIPTION_COLUMNS)
        .where(subscriptions.c.status != "canceled")
        .order_by(subscriptions.c.id.desc())
        .limit(limit)
    )
    async with engine.connect() as conn:
        return (await conn.execute(stmt)).mappings().all()


# --- provider events ------------------------------------------------------------------------------------


async def record_event(
    conn: AsyncConnection, *, event_id: str, type_: str, ref: str | None, payload: dict[str, Any], at: datetime
) -> bool:
    """Record an event once: False when its id was recorded before (a duplicate delivery). A
    concurrent delivery of the same id waits here on the primary key until the first commits."""
    stmt = (
        pg_insert(provider_events)
        .values(id=event_id, type=type_, ref=ref, payload=payload, occurred_at=at, received_at=utcnow())
        .on_conflict_do_nothing()
        .returning(provider_events.c.id)
    )
    return (await conn.execute(stmt)).first() is not None


async def mark_applied(conn: AsyncConnection, event_id: str) -> None:
    await conn.execute(update(provider_events).where(provider_events.c.id == event_id).values(applied_at=utcnow()))


async def parked_events(conn: AsyncConnection, ref: str) -> Sequence[RowMapping]:
    """Events about `ref` recorded before its row existed, oldest first, locked for applying."""
    stmt = (
        select(provider_events.c.id, provider_events.c.type, provider_events.c.payload, provider_events.c.occurred_at)
        .where(provider_events.c.ref == ref, provider_events.c.applied_at.is_(None))
        .order_by(provider_events.c.occurred_at, provider_events.c.id)
        .with_for_update()
    )
    return (await conn.execute(stmt)).mappings().all()


async def event_count(engine: AsyncEngine, event_id: str) -> int:
    stmt = select(func.count()).select_from(provider_events).where(provider_events.c.id == event_id)
    async with engine.connect() as conn:
        return int((await conn.execute(stmt)).scalar_one())


async def course_content_id(engine: AsyncEngine, course_id: uuid.UUID) -> str | None:
    """The content id of the course a payment bought (for the `payment_succeeded` event)."""
    async with engine.connect() as conn:
        value = await conn.scalar(select(courses.c.content_id).where(courses.c.id == course_id))
    return str(value) if value is not None else None
