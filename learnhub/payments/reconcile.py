"""Reconciliation: compare local payments and subscriptions with the provider and repair what
missed webhooks left behind (`learnhub payments reconcile`).

Each open row (a pending or succeeded course payment, a subscription that is not canceled) is
looked up at the provider and moved, through the same state machines as events, to the state
the provider reports; every user touched then has their enrollments re-synced, which also
suspends access that lapsed at a period's end with no event. Running it twice changes nothing
the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from learnhub.datasources.postgres import payments
from learnhub.datasources.postgres.tables import utcnow
from learnhub.datasources.stores import Stores
from learnhub.payments.events import apply_provider_state
from learnhub.payments.provider import ProviderRejected, ProviderUnreachable, provider_for

# Rows per run; an operator runs it again for more (each run is idempotent).
BATCH = 1000


@dataclass
class Report:
    checked: int = 0
    repaired: list[str] = field(default_factory=list)  # "payment <id>: pending -> succeeded"
    unreachable: list[str] = field(default_factory=list)  # rows the provider did not answer for


async def reconcile(stores: Stores) -> Report:
    provider = provider_for(stores.settings)
    report = Report()
    for row in await payments.open_payments(stores.engine, BATCH):
        report.checked += 1
        try:
            reported = await provider.get_payment(row["provider_ref"])
        except (ProviderUnreachable, ProviderRejected) as exc:
            report.unreachable.append(f"payment {row['id']}: {exc}")
            continue
        if reported.status != row["status"]:
            await apply_provider_state(stores.engine, row, reported.status, user_id=row["user_id"])
            async with stores.engine.connect() as conn:
                now = await payments.payment_by_id(conn, row["id"])
            if now is not None and now["status"] != row["status"]:
                report.repaired.append(f"payment {row['id']}: {row['status']} -> {now['status']}")
    for sub in await payments.live_subscriptions(stores.engine, BATCH):
        report.checked += 1
        try:
            got = await provider.get_subscription(sub["provider_ref"])
        except (ProviderUnreachable, ProviderRejected) as exc:
            report.unreachable.append(f"subscription {sub['id']}: {exc}")
            continue
        async with stores.engine.begin() as conn:
            if (got.status, got.current_period_end, got.cancel_at_period_end) != (
                sub["status"],
                sub["current_period_end"],
                sub["cancel_at_period_end"],
            ):
                await payments.set_subscription_state(
                    conn,
                    sub["id"],
                    status=got.status,
                    current_period_end=got.current_period_end,
                    cancel_at_period_end=got.cancel_at_period_end,
                    state_at=utcnow(),
                    current=True,
                )
                report.repaired.append(f"subscription {sub['id']}: {sub['status']} -> {got.status}")
            await payments.sync_enrollments(conn, sub["user_id"])
    return report
