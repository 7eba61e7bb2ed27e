"""Daily rollups against the real PostgreSQL: they equal a direct aggregate over the raw events,
re-running a day gives the same rows, late events are counted when their day is rebuilt, and the
reports read them back. Each test uses its own course ids and a day no other test writes to."""

from __future__ import annotations

import random
import statistics
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from learnhub.analytics import buffer, reports, rollups
from learnhub.analytics.catalog import Event
from learnhub.datasources.postgres import analytics as rows
from learnhub.datasources.stores import Stores
from tests.support.data import StoreAccess, unique

LESSONS = [f"lesson:l{i}" for i in range(4)]
QUESTIONS = ["q:easy", "q:mid", "q:hard"]
HARDNESS = {"q:easy": 0.9, "q:mid": 0.5, "q:hard": 0.1}


def _day() -> date:
    """A day of its own: far back, picked at random (the rollup of a day covers every course)."""
    return date(2001, 1, 1) + timedelta(days=random.randrange(0, 9000))


def _at(day: date, seconds: float) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC) + timedelta(seconds=seconds)


def _events(course: str, day: date, rng: random.Random, count: int = 400) -> list[Event]:
    users = [uuid.uuid4() for _ in range(12)]
    made = []
    for _ in range(count):
        name = rng.choice(["lesson_viewed", "lesson_viewed", "lesson_completed", "quiz_submitted", "video_played"])
        user = rng.choice(users)
        entity: str | None = rng.choice(LESSONS)
        value: float | None = None
        context: dict[str, Any] = {"n": rng.random()}
        if name == "lesson_completed":
            value = float(rng.randrange(30, 3000))
        elif name == "quiz_submitted":
            entity, value = "quiz:q1", float(rng.randrange(0, 101))
            context = {"answers": {q: rng.random() < HARDNESS[q] for q in QUESTIONS}}
        elif name == "video_played" and rng.random() < 0.5:
            entity = None
        when = _at(day, rng.uniform(0, 86_399.999))
        made.append(
            Event(name, "client", user, course, entity, when, when, value=value, context=context)  # type: ignore[arg-type]
        )
    made.append(Event("course_completed", "server", users[0], course, course, _at(day, 5), _at(day, 5)))
    # Just outside the day on both sides: never counted in it.
    for edge in (_at(day, -0.001), _at(day, 86_400)):
        made.append(Event("lesson_viewed", "client", users[1], course, LESSONS[0], edge, edge))
    return made


def _expected(events: list[Event], day: date) -> dict[tuple[str, str], dict[str, Any]]:
    """The rollup rows of `day`, computed here from the events (the oracle)."""
    inside = [e for e in events if e.occurred_at.date() == day]
    groups: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for e in inside:
        groups[("course", "")].append(e)
        if e.entity_id and e.entity_id.split(":")[0] in ("lesson", "quiz"):
            groups[(e.entity_id.split(":")[0], e.entity_id)].append(e)
    out = {}
    for (kind, entity), group in groups.items():
        completion = "course_completed" if kind == "course" else "lesson_completed"
        quiz = [e for e in group if e.name == "quiz_submitted"]
        times = [e.value for e in group if e.name == "lesson_completed" and e.value is not None]
        out[(kind, entity)] = {
            "active_learners": len({e.user_id for e in group}),
            "views": sum(e.name == "lesson_viewed" for e in group),
            "completions": sum(e.name == completion for e in group),
            "attempts": len(quiz),
            "correct": 0,
            "score_sum": sum(e.value or 0 for e in quiz),
            "events": len(group),
            "median_seconds": statistics.median(times) if times else None,
        }
    answers: dict[str, list[tuple[uuid.UUID | None, bool]]] = defaultdict(list)
    for e in inside:
        if e.name == "quiz_submitted":
            for question, right in e.context["answers"].items():
                answers[question].append((e.user_id, right))
    for question, given in answers.items():
        out[("question", question)] = {
            "active_learners": len({u for u, _ in given}),
            "views": 0,
            "completions": 0,
            "attempts": len(given),
            "correct": sum(right for _, right in given),
            "score_sum": 0,
            "events": len(given),
            "median_seconds": None,
        }
    return out


async def _stored(stores: StoreAccess, course: str, day: date) -> dict[tuple[str, str], dict[str, Any]]:
    async with stores.engine.connect() as conn:
        found = await conn.execute(
            text(
                f"SELECT kind, entity_id, {rows.ROLLUP_COLUMNS} FROM analytics_daily WHERE course_id = :c AND day = :d"
            ),
            {"c": course, "d": day},
        )
        return {
            (r["kind"], r["entity_id"]): {k: v for k, v in r.items() if k not in ("kind", "entity_id")}
            for r in found.mappings()
        }


def _close(a: dict[tuple[str, str], dict[str, Any]], b: dict[tuple[str, str], dict[str, Any]]) -> bool:
    """Equal, float sums compared to a millionth."""
    if a.keys() != b.keys():
        return False
    for key, columns in a.items():
        for column, value in columns.items():
            other = b[key][column]
            if isinstance(value, float) or isinstance(other, float):
                if abs(float(value) - float(other)) > 1e-6:
                    return False
            elif value != other:
                return False
    return True


async def test_a_days_rollups_equal_a_direct_aggregate_of_its_events(stores: StoreAccess) -> None:
    course, day = unique("course:rollup"), _day()
    events = _events(course, day, random.Random(7))
    await buffer.write(stores.engine, events)
    await rollups.rollup_day(stores.engine, day)
    stored = await _stored(stores, course, day)
    expected = _expected(events, day)
    assert len(expected) == 1 + len(LESSONS) + 1 + len(QUESTIONS)  # course, lessons, the quiz, questions
    assert _close(stored, expected), (stored, expected)


async def test_the_rollups_equal_the_same_aggregate_written_in_sql(stores: StoreAccess) -> None:
    course, day = unique("course:rollup"), _day()
    await buffer.write(stores.engine, _events(course, day, random.Random(11)))
    await rollups.rollup_day(stores.engine, day)
    start = datetime.combine(day, time.min, tzinfo=UTC)
    async with stores.engine.connect() as conn:
        direct = (
            await conn.execute(
                text(
                    "SELECT entity_id, count(DISTINCT user_id) AS learners, count(*) FILTER (WHERE name = "
                    "'lesson_viewed') AS views, count(*) FILTER (WHERE name = 'lesson_completed') AS completions "
                    "FROM analytics_events WHERE course_id = :c AND occurred_at >= :a AND occurred_at < :b "
                    "AND entity_id LIKE 'lesson:%' GROUP BY entity_id"
                ),
                {"c": course, "a": start, "b": start + timedelta(days=1)},
            )
        ).all()
    stored = await _stored(stores, course, day)
    assert {r[0]: (r[1], r[2], r[3]) for r in direct} == {
        entity: (v["active_learners"], v["views"], v["completions"])
        for (kind, entity), v in stored.items()
        if kind == "lesson"
    }


async def test_rerunning_a_day_gives_the_same_rows_and_late_events_count_when_rebuilt(stores: StoreAccess) -> None:
    course, day = unique("course:rollup"), _day()
    events = _events(course, day, random.Random(3), count=120)
    await buffer.write(stores.engine, events)
    await rollups.rollup_day(stores.engine, day)
    first = await _stored(stores, course, day)
    await rollups.rollup_day(stores.engine, day)
    await rollups.rollup_days(stores.engine, day, day)
    assert await _stored(stores, course, day) == first
    late = [Event("lesson_viewed", "client", uuid.uuid4(), course, LESSONS[2], _at(day, 60), _at(day, 60))]
    await buffer.write(stores.engine, late)
    assert await _stored(stores, course, day) == first  # not until the day is rebuilt
    await rollups.rollup_day(stores.engine, day)
    assert _close(await _stored(stores, course, day), _expected(events + late, day))


async def test_reports_read_the_series_funnel_and_hardest_questions(stores: StoreAccess, live_stores: Stores) -> None:
    course, day = unique("course:rollup"), _day()
    rng = random.Random(5)
    events = _events(course, day, rng) + _events(course, day + timedelta(days=2), rng)
    await buffer.write(stores.engine, events)
    # Built out of order: the first reach of a lesson is still the earliest day.
    await rollups.rollup_day(stores.engine, day + timedelta(days=2))
    await rollups.rollup_days(stores.engine, day, day + timedelta(days=1))
    report = await reports.course_report(live_stores.engine, course, LESSONS, day, day + timedelta(days=2))
    assert [d.day for d in report.days] == [day, day + timedelta(days=1), day + timedelta(days=2)]
    for point in report.days:
        expected = _expected(events, point.day)[("course", "")]
        assert (point.active_learners, point.views, point.quiz_attempts, point.events) == (
            expected["active_learners"],
            expected["views"],
            expected["attempts"],
            expected["events"],
        )
    assert report.days[1].events == 2  # only the two events just past the other days' edges
    assert [step.lesson_id for step in report.funnel] == LESSONS
    for step in report.funnel:
        reached = {
            e.user_id
            for e in events
            if e.entity_id == step.lesson_id
            and e.name in ("lesson_viewed", "lesson_completed")
            and day <= e.occurred_at.date() <= day + timedelta(days=2)
        }
        assert step.learners == len(reached)
    assert [q.question_id for q in report.hardest_questions] == ["q:hard", "q:mid", "q:easy"]
    # Starting the range a day later drops the learners first seen on the first day.
    later = await reports.course_report(
        live_stores.engine, course, LESSONS, day + timedelta(days=1), day + timedelta(days=2)
    )
    assert sum(s.learners for s in later.funnel) < sum(s.learners for s in report.funnel)
