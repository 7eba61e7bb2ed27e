"""Achievement rules (stored as jsonb in `achievements.rule`) and their evaluation.

Rules are evaluated against the current state of the tables, not against the event that
triggered them, so an event seen twice (or out of order) cannot award anything twice or wrongly.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from learnhub.datasources.postgres import achievements

Rule = dict[str, Any]


async def _at_least(count: Callable[[AsyncConnection, uuid.UUID], Awaitable[int]], conn: AsyncConnection,
                    user_id: uuid.UUID, rule: Rule) -> bool:  # fmt: skip
    return await count(conn, user_id) >= int(rule.get("at_least", 1))


async def rule_holds(conn: AsyncConnection, user_id: uuid.UUID, rule: Rule) -> bool:
    """Whether the user meets the rule now; an unknown rule kind never holds."""
    kind = rule.get("kind")
    if kind == "quizzes_passed":
        return await _at_least(achievements.quizzes_passed, conn, user_id, rule)
    if kind == "courses_completed":
        return await _at_least(achievements.courses_completed, conn, user_id, rule)
    if kind == "streak_days":
        return await _at_least(achievements.longest_streak, conn, user_id, rule)
    if kind == "perfect_score":
        return await achievements.has_perfect_score(conn, user_id)
    return False


async def evaluate(conn: AsyncConnection, user_id: uuid.UUID) -> list[str]:
    """Award every achievement the user now qualifies for; returns the codes newly awarded."""
    held = await achievements.awarded_ids(conn, user_id)
    awarded = []
    for row in await achievements.all_rules(conn):
        if row["id"] in held or not await rule_holds(conn, user_id, row["rule"]):
            continue
        if await achievements.award(conn, user_id, row["id"]):
            awarded.append(row["code"])
    return awarded
