"""Analytics in PostgreSQL: bulk writes of events, the daily rollup statements, partitions, and
the reads of the rollups (raw asyncpg for the reads, as the other hot reads)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core import stats
from learnhub.datasources.postgres import raw
from learnhub.datasources.postgres.raw import Row

PARTITIONS = "analytics_partitions"
DEFAULT_PARTITION = f"{PARTITIONS}.analytics_events_default"


async def copy_events(engine: AsyncEngine, columns: Sequence[str], records: Sequence[tuple[Any, ...]]) -> None:
    """Write the rows with COPY, in one transaction: all of them or none.

    COPY rather than a multi-row INSERT: measured with bench/analytics_copy.py (embedded
    PostgreSQL 18, 2 shared cores at load ~17, ~100-byte contexts, medians of 30 batches):
        batches of 100:   COPY 58,000 rows/s, INSERT 41,000 rows/s
        batches of 1,000: COPY 73,000 rows/s, INSERT 23,000 rows/s
    The buffer flushes hundreds to thousands at a time, where COPY is 3x faster; an INSERT also
    stops at 32,767 parameters (about 2,900 events)."""
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None  # an open asyncpg connection
        stats.record("postgres")
        await driver.copy_records_to_table("analytics_events", records=records, columns=list(columns))


async def insert_rows(engine: AsyncEngine, columns: Sequence[str], records: Sequence[tuple[Any, ...]]) -> None:
    """The same rows with one multi-row INSERT (the alternative COPY was measured against)."""
    width = len(columns)
    values = ", ".join(
        "(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")" for i in range(len(records))
    )
    cols = ", ".join(columns)
    sql = f"INSERT INTO analytics_events ({cols}) VALUES {values}"  # noqa: S608 - fixed columns, values are parameters
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        stats.record("postgres")
        await driver.execute(sql, *[v for record in records for v in record])


# --- rollups -------------------------------------------------------------------------------------

# Every rollup row of one day from that day's events, in one statement. The day is [start, end)
# in UTC; the partition and the occurred_at index keep it to that day's rows.
_DAY_EVENTS = """
ev AS (
    SELECT name, user_id, course_id, entity_id, value, context
    FROM analytics_events
    WHERE occurred_at >= :start AND occurred_at < :end
)"""

_AGGREGATES = """
    count(DISTINCT user_id) AS active_learners,
    count(*) FILTER (WHERE name = 'lesson_viewed') AS views,
    count(*) FILTER (WHERE name = {completion}) AS completions,
    count(*) FILTER (WHERE name = 'quiz_submitted') AS attempts,
    0 AS correct,
    coalesce(sum(value) FILTER (WHERE name = 'quiz_submitted'), 0) AS score_sum,
    count(*) AS events,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY value) FILTER (WHERE name = 'lesson_completed')
        AS median_seconds"""

ROLLUP_COLUMNS = "active_learners, views, completions, attempts, correct, score_sum, events, median_seconds"

_ROLLUP_DAY = f"""
WITH {_DAY_EVENTS}
INSERT INTO analytics_daily (day, course_id, kind, entity_id, {ROLLUP_COLUMNS}, built_at)
SELECT :day, course_id, kind, entity_id, {ROLLUP_COLUMNS}, now() FROM (
    SELECT '' AS course_id, 'platform' AS kind, '' AS entity_id,
        {_AGGREGATES.format(completion="'course_completed'")}
    FROM ev
    UNION ALL
    SELECT course_id, 'course', '',
        {_AGGREGATES.format(completion="'course_completed'")}
    FROM ev WHERE course_id IS NOT NULL GROUP BY course_id
    UNION ALL
    SELECT course_id, split_part(entity_id, ':', 1), entity_id,
        {_AGGREGATES.format(completion="'lesson_completed'")}
    FROM ev
    WHERE course_id IS NOT NULL AND (entity_id LIKE 'lesson:%' OR entity_id LIKE 'quiz:%')
    GROUP BY course_id, entity_id
    UNION ALL
    SELECT course_id, 'question', answer.key,
        count(DISTINCT user_id), 0, 0, count(*), count(*) FILTER (WHERE answer.value = 'true'), 0, count(*), NULL
    FROM ev CROSS JOIN LATERAL jsonb_each_text(
        CASE WHEN jsonb_typeof(ev.context -> 'answers') = 'object' THEN ev.context -> 'answers' END
    ) AS answer
    WHERE name = 'quiz_submitted' AND course_id IS NOT NULL
    GROUP BY course_id, answer.key
) AS rows
WHERE kind <> 'platform' OR events > 0
"""  # noqa: S608 - fixed fragments of this module; values are parameters

# The first day each learner reached each lesson (viewed or completed it). LEAST keeps the
# earliest, so re-running any day, in any order, ends in the same rows.
_REACH_DAY = f"""
WITH {_DAY_EVENTS}
INSERT INTO analytics_lesson_reach (course_id, lesson_id, user_id, first_day)
SELECT DISTINCT course_id, entity_id, user_id, CAST(:day AS date) FROM ev
WHERE course_id IS NOT NULL AND user_id IS NOT NULL AND entity_id LIKE 'lesson:%'
    AND name IN ('lesson_viewed', 'lesson_completed')
ON CONFLICT (course_id, lesson_id, user_id)
DO UPDATE SET first_day = LEAST(analytics_lesson_reach.first_day, excluded.first_day)
"""  # noqa: S608 - fixed fragments of this module; values are parameters


async def rollup_day(engine: AsyncEngine, day: date, start: datetime) -> int:
    """Rebuild one day's rollup rows in one transaction; returns how many rows it has."""
    params = {"day": day, "start": start, "end": start + timedelta(days=1)}
    async with engine.begin() as conn:
        # Delete and rebuild, so a row whose events are gone goes too; two rebuilds of one day
        # (the worker and a backfill) take turns on a lock of that day.
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext('analytics_daily'), :n)"), {"n": day.toordinal()}
        )
        await conn.execute(text("DELETE FROM analytics_daily WHERE day = :day"), {"day": day})
        result = await conn.execute(text(_ROLLUP_DAY), params)
        await conn.execute(text(_REACH_DAY), params)
        return result.rowcount or 0


# --- partitions ----------------------------------------------------------------------------------

_PARTITIONS_OF = """
SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'analytics_events'::regclass
ORDER BY c.relname
"""


async def partitions(engine: AsyncEngine) -> list[str]:
    """The names of the attached partitions (the default one included)."""
    async with engine.connect() as conn:
        return [str(r[0]) for r in await conn.execute(text(_PARTITIONS_OF))]


async def create_month(engine: AsyncEngine, start: date, end: date) -> bool:
    """Attach the partition [start, end) unless it exists; False when it did. Rows of that
    month that waited in the default partition move into it, in the same transaction."""
    name = f"analytics_events_{start:%Y_%m}"
    async with engine.begin() as conn:
        await conn.execute(text("LOCK TABLE analytics_events IN SHARE ROW EXCLUSIVE MODE"))
        exists = await conn.scalar(
            text(
                "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :s AND c.relname = :n"
            ),
            {"s": PARTITIONS, "n": name},
        )
        if exists:
            return False
        qualified = f"{PARTITIONS}.{name}"
        bounds = f"FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
        await conn.execute(
            text(f"CREATE TABLE {qualified} (LIKE analytics_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        )
        await conn.execute(
            text(
                f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE occurred_at >= :a AND occurred_at < :b "  # noqa: S608 - names of this module
                f"RETURNING *) INSERT INTO {qualified} SELECT * FROM moved"
            ),
            {"a": start, "b": end},
        )
        await conn.execute(text(f"ALTER TABLE analytics_events ATTACH PARTITION {qualified} FOR VALUES {bounds}"))
        return True


async def detach(engine: AsyncEngine, name: str) -> None:
    """Detach one partition: it stays, as a plain table in PARTITIONS, for archiving or DROP."""
    async with engine.begin() as conn:
        await conn.execute(text(f"ALTER TABLE analytics_events DETACH PARTITION {PARTITIONS}.{name}"))


# --- privacy -------------------------------------------------------------------------------------


async def pseudonymise_user(engine: AsyncEngine, user_id: uuid.UUID, alias: uuid.UUID) -> int:
    """Replace the user's id by `alias` on every event and first-reach row and drop their events'
    contexts; returns how many events changed. Rollups keep their counts: the alias is one learner."""
    async with engine.begin() as conn:
        result = await conn.execute(
            text("UPDATE analytics_events SET user_id = :alias, context = '{}'::jsonb WHERE user_id = :user"),
            {"alias": alias, "user": user_id},
        )
        await conn.execute(
            text("UPDATE analytics_lesson_reach SET user_id = :alias WHERE user_id = :user"),
            {"alias": alias, "user": user_id},
        )
        return result.rowcount or 0


# --- reads ---------------------------------------------------------------------------------------

_SERIES = raw.select(
    f"day, {ROLLUP_COLUMNS}",
    "analytics_daily",
    "course_id = $1",
    "kind = $2",
    "entity_id = ''",
    "day >= $3",
    "day <= $4",
    then="ORDER BY day",
)

_ENTITY_TOTALS = raw.select(
    "kind, entity_id, sum(views)::int AS views, sum(completions)::int AS completions, "
    "sum(attempts)::int AS attempts, sum(correct)::int AS correct",
    "analytics_daily",
    "course_id = $1",
    "kind = ANY($2::text[])",
    "day >= $3",
    "day <= $4",
    then="GROUP BY kind, entity_id",
)

_REACH = raw.select(
    "lesson_id, count(*)::int AS learners",
    "analytics_lesson_reach",
    "course_id = $1",
    "first_day >= $2",
    "first_day <= $3",
    then="GROUP BY lesson_id",
)

_EVENTS_OF_USER = raw.select(
    "id, name, source, course_id, entity_id, occurred_at, received_at, clamped, value, context",
    "analytics_events",
    "user_id = $1",
    then="ORDER BY occurred_at DESC, id DESC LIMIT $2",
)


async def daily_series(engine: AsyncEngine, course_id: str, kind: str, first: date, last: date) -> list[Row]:
    """The course's (or the platform's: course_id '', kind 'platform') rows, day by day."""
    return await raw.fetch(engine, _SERIES, course_id, kind, first, last)


async def entity_totals(
    engine: AsyncEngine, course_id: str, kinds: Sequence[str], first: date, last: date
) -> list[Row]:
    """Each lesson's, quiz's or question's counts over the days, summed."""
    return await raw.fetch(engine, _ENTITY_TOTALS, course_id, list(kinds), first, last)


async def reach(engine: AsyncEngine, course_id: str, first: date, last: date) -> list[Row]:
    """Per lesson, how many learners first reached it within the days."""
    return await raw.fetch(engine, _REACH, course_id, first, last)


async def events_of_user(engine: AsyncEngine, user_id: uuid.UUID, limit: int) -> list[Row]:
    """A learner's raw events, newest first (index user_id, occurred_at): admins only."""
    return await raw.fetch(engine, _EVENTS_OF_USER, user_id, limit)
