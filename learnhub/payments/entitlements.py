"""Who may learn in a course: the one decision every protected path asks.

`entitled` answers for a user and a course: a free course always; a paid one when the rule in
learnhub/datasources/postgres/payments.py (`entitlement`: a succeeded payment for it, or an
active subscription paid up to a moment still ahead whose plan covers it) holds. `may_learn`
adds the enrollment: not cancelled. Enrolling, lesson bodies and starting a quiz all call
these; the enrollment's `suspended` status is the same rule written down after each payment
event (`sync_enrollments`), so lists show it, while access itself is decided live, so a
subscription that lapsed with no event still ends access at its period's end.

A page that reads many lessons of one paid course asks once: answers are kept per request
(`memo`), keyed on (user, course).
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres import payments

Memo = dict[tuple[uuid.UUID, uuid.UUID], "asyncio.Future[bool]"]
_MEMOS: WeakKeyDictionary[Any, Memo] = WeakKeyDictionary()


def memo_for(owner: Any) -> Memo:
    """The answers kept for one request (`owner`: an object made per request, its loaders); dropped with it."""
    return _MEMOS.setdefault(owner, {})


async def entitled(engine: AsyncEngine, user_id: uuid.UUID, course: Any, memo: Memo | None = None) -> bool:
    if course["price_cents"] == 0:
        return True  # free: no query
    if memo is None:
        return await payments.entitled(engine, user_id, course["id"])
    key = (user_id, course["id"])
    if key not in memo:
        memo[key] = asyncio.ensure_future(payments.entitled(engine, user_id, course["id"]))
    return await asyncio.shield(memo[key])


async def may_learn(
    engine: AsyncEngine,
    user_id: uuid.UUID,
    course: Any,
    enrollment: Any,
    memo: Memo | None = None,
) -> bool:
    """Read a lesson's body, start a quiz: enrolled (not cancelled) and entitled."""
    if enrollment is None or enrollment["status"] == "cancelled":
        return False
    return await entitled(engine, user_id, course, memo)
