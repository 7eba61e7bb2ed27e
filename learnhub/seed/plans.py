"""Demo subscription plans: everything monthly or yearly, or the database courses only."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from learnhub.datasources.postgres import payments

DEMO_PLANS: list[dict[str, Any]] = [
    {
        "code": "all-access-monthly",
        "name": "All access, monthly",
        "interval": "month",
        "amount_cents": 1900,
        "currency": "usd",
        "all_courses": True,
        "tags": [],
    },
    {
        "code": "all-access-yearly",
        "name": "All access, yearly",
        "interval": "year",
        "amount_cents": 19000,
        "currency": "usd",
        "all_courses": True,
        "tags": [],
    },
    {
        "code": "databases-monthly",
        "name": "Database courses, monthly",
        "interval": "month",
        "amount_cents": 900,
        "currency": "usd",
        "all_courses": False,
        "tags": ["database"],
    },
]


async def seed_plans(conn: AsyncConnection) -> None:
    for plan in DEMO_PLANS:
        await payments.insert_plan(conn, plan)
