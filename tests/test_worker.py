"""The outbox worker: exactly one award per rule per user, retries, stats refresh."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import delete, func, insert, select, update

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.outbox import add_event
from learnhub.datasources.postgres.tables import achievements, activity_days, outbox_events, user_achievements
from learnhub.datasources.stores import Stores
from learnhub.worker import _listen, drain
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register, user_id_of
from tests.support.world import add_attempt, add_quiz


async def _awards(stores: StoreAccess, user_id: uuid.UUID) -> list[str]:
    async with stores.engine.connect() as conn:
        rows = await conn.execute(
            select(achievements.c.code)
            .join(user_achievements, user_achievements.c.achievement_id == achievements.c.id)
            .where(user_achievements.c.user_id == user_id)
            .order_by(achievements.c.code)
        )
        return list(rows.scalars())


async def test_duplicate_events_award_once(http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores) -> None:
    token, _ = await register(http)
    user_id = user_id_of(token)
    course_id, content_id, _ = await make_course(stores)
    quiz_id, _ = await add_quiz(stores, content_id)
    await add_attempt(stores, user_id, course_id, quiz_id, passed=True)
    async with stores.engine.begin() as conn:
        for _ in range(3):
            await add_event(conn, "quiz.submitted", user_id, {"quiz_id": quiz_id})
    first = await drain(live_stores)
    assert first.processed >= 3
    again = await drain(live_stores)
    # Nothing left but, at most, search events of other tests' edits that fell due meanwhile
    # (authoring records one due 30 s later as a safety net).
    assert again.processed - again.indexed == 0
    # add_attempt scores 1/1: a pass and a perfect score.
    assert await _awards(stores, user_id) == ["first-quiz-passed", "perfect-score"]


async def test_a_failing_event_is_retried_without_holding_back_the_others(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    token, _ = await register(http)
    user_id = user_id_of(token)
    broken_rule = uuid7()
    async with stores.engine.begin() as conn:
        # A rule an editor got wrong: evaluating it raises for every user until it is fixed.
        await conn.execute(
            insert(achievements).values(
                id=broken_rule, code=f"broken-{broken_rule}", title="t", xp=1,
                rule={"kind": "quizzes_passed", "at_least": "many"},
            )
        )  # fmt: skip
        await add_event(conn, "lesson.progressed", user_id, {})
        await add_event(conn, "no.such.kind", user_id, {})
    try:
        result = await drain(live_stores)
        assert result.retried >= 1
        assert result.failed >= 1
        async with stores.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(outbox_events.c.kind, outbox_events.c.attempts, outbox_events.c.processed_at,
                           outbox_events.c.failed_at, outbox_events.c.available_at, outbox_events.c.last_error)
                    .where(outbox_events.c.user_id == user_id)
                )
            ).mappings().all()  # fmt: skip
        by_kind = {r["kind"]: r for r in rows}
        retried = by_kind["lesson.progressed"]
        assert retried["attempts"] == 1
        assert retried["processed_at"] is None
        assert retried["failed_at"] is None
        assert retried["available_at"] > datetime.now(UTC)
        assert "ValueError" in retried["last_error"]
        unknown = by_kind["no.such.kind"]
        assert unknown["failed_at"] is not None  # no handler: kept for an operator, not retried
    finally:
        async with stores.engine.begin() as conn:
            await conn.execute(delete(achievements).where(achievements.c.id == broken_rule))
    async with stores.engine.begin() as conn:  # the retry falls due
        await conn.execute(
            update(outbox_events).where(outbox_events.c.user_id == user_id).values(available_at=func.now())
        )
    await drain(live_stores)
    async with stores.engine.connect() as conn:
        day = await conn.scalar(select(func.count()).where(activity_days.c.user_id == user_id))
    assert day == 1


async def test_a_seven_day_streak(http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores) -> None:
    token, _ = await register(http)
    user_id = user_id_of(token)
    today = datetime.now(UTC).date()
    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(activity_days), [{"user_id": user_id, "day": today - timedelta(days=n)} for n in range(1, 7)]
        )
        await add_event(conn, "lesson.progressed", user_id, {})  # today: the seventh day
    await drain(live_stores)
    assert "seven-day-streak" in await _awards(stores, user_id)
    stats = (await gql(http, "{ me { stats { streakDays } } }", token=token))["data"]["me"]["stats"]
    assert stats == {"streakDays": 7}


JOURNEY_ME = """
{ me {
  stats { coursesCompleted quizzesPassed averageScore xp streakDays }
  achievements { code xp }
  myCourses: enrollments(first: 5) { nodes { status completionPercent } }
  quizAttempts(first: 5) { nodes { score passed details { answers { correct } } } }
} }
"""


async def test_a_whole_student_journey(http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores) -> None:
    """register -> enroll -> progress -> start and submit a quiz -> history -> achievements and stats."""
    from learnhub.graphql.relay.node import to_global_id
    from tests.support.quizzes import RIGHT, quiz_setup, start, submit

    setup = await quiz_setup(http, stores)  # registers and enrolls over HTTP
    course = to_global_id("Course", setup.course_id)
    lessons = (
        await gql(http, "query($c: ID!) { course(id: $c) { content { modules { lessons { contentId } } } } }",
                  {"c": course}, token=setup.token)
    )["data"]["course"]["content"]["modules"][0]["lessons"]  # fmt: skip
    progress = (
        "mutation($l: ID!) { updateLessonProgress(input: {lessonId: $l, position: 1, completed: true})"
        " { courseCompleted } }"
    )
    assert (await gql(http, progress, {"l": lessons[0]["contentId"]}, token=setup.token))["data"][
        "updateLessonProgress"
    ]["courseCompleted"] is True
    attempt = (await start(http, setup))["attempt"]["id"]
    assert (await submit(http, setup, attempt, RIGHT, "journey"))["attempt"]["passed"] is True

    await drain(live_stores)

    me = (await gql(http, JOURNEY_ME, token=setup.token))["data"]["me"]
    assert sorted(a["code"] for a in me["achievements"]) == ["course-completed", "first-quiz-passed", "perfect-score"]
    assert me["stats"] == {
        "coursesCompleted": 1,
        "quizzesPassed": 1,
        "averageScore": 100.0,
        "xp": 50 + 100 + 200 + 10 + 50,
        "streakDays": 1,
    }
    assert me["myCourses"]["nodes"] == [{"status": "COMPLETED", "completionPercent": 100.0}]
    assert me["quizAttempts"]["nodes"][0]["score"] == 6.0
    assert all(a["correct"] for a in me["quizAttempts"]["nodes"][0]["details"]["answers"])


async def test_a_committed_event_wakes_the_worker_at_once(live_stores: Stores) -> None:
    """The trigger on outbox_events notifies at commit; the worker's listener hears it, so it
    does not wait for its next poll."""
    wakeup = asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        assert await _listen(live_stores, wakeup, stack)
        async with live_stores.engine.begin() as conn:
            await add_event(conn, "no.such.kind", None, {})
            assert not wakeup.is_set()  # nothing before the commit
        await asyncio.wait_for(wakeup.wait(), timeout=10)
