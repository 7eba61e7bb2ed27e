"""Analytics through the running gateway: `trackEvents` (accepted, refused whole, written within a
flush), server events of the learning flows, who may read what, forgetting a learner, and
`Course.analytics` in round trips that do not grow with the range."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text, update

from learnhub.analytics import rollups
from learnhub.datasources.postgres.tables import courses
from learnhub.embedded import EmbeddedCluster
from learnhub.graphql.relay.node import to_global_id
from tests.support.client import gql, post_graphql
from tests.support.data import StoreAccess, make_course, register, unique, user_id_of
from tests.support.world import account_with_role

TRACK = "mutation($events: [TrackEventInput!]!) { trackEvents(events: $events) { accepted clamped } }"
ANALYTICS = """
query($id: ID!, $from: Date!, $to: Date!) {
  course(id: $id) {
    analytics(from: $from, to: $to) {
      from to
      days { date activeLearners views completions quizAttempts averageScore medianSecondsToComplete events }
      funnel { position lessonId learners views completions }
      hardestQuestions { questionId answers correct correctRate }
    }
  }
}"""
EVENTS_OF = "query($id: ID!) { analyticsEvents(userId: $id, first: 500) { name source entityId courseId context } }"


def _now() -> str:
    return datetime.now(UTC).isoformat()


async def _marked(stores: StoreAccess, marker: str) -> int:
    async with stores.engine.connect() as conn:
        return int(
            await conn.scalar(
                text("SELECT count(*) FROM analytics_events WHERE context->>'marker' = :m"), {"m": marker}
            )
            or 0
        )


async def _until(check: Any, what: str, deadline: float = 15.0) -> Any:
    """Poll `check()` until it returns something truthy (the buffer flushes every second)."""
    end = time.monotonic() + deadline
    while True:
        found = await check()
        if found:
            return found
        assert time.monotonic() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_a_batch_is_accepted_clamped_and_written_within_a_flush(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    token, _ = await register(http)
    _, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=2)
    marker = unique("m")
    now = datetime.now(UTC)
    events = [
        {"name": "lesson_viewed", "occurredAt": now.isoformat(), "entityId": lessons[0], "context": {"marker": marker}},
        {"name": "course_viewed", "occurredAt": now.isoformat(), "entityId": content_id, "context": {"marker": marker}},
        {
            "name": "search_performed",
            "occurredAt": (now - timedelta(days=40)).isoformat(),
            "context": {"marker": marker},
        },
        {"name": "video_played", "occurredAt": (now + timedelta(days=1)).isoformat(), "context": {"marker": marker}},
    ]
    body = await gql(http, TRACK, {"events": events}, token=token)
    assert body["data"]["trackEvents"] == {"accepted": 4, "clamped": 2}
    assert await _until(lambda: _marked(stores, marker), "the events") == 4
    async with stores.engine.connect() as conn:
        found = (
            await conn.execute(
                text(
                    "SELECT name, course_id, clamped, occurred_at FROM analytics_events "
                    "WHERE context->>'marker' = :m ORDER BY name"
                ),
                {"m": marker},
            )
        ).all()
    assert [(r[0], r[1], r[2]) for r in found] == [
        ("course_viewed", content_id, False),
        ("lesson_viewed", content_id, False),  # the lesson's course, looked up on the server
        ("search_performed", None, True),
        ("video_played", None, True),
    ]
    clamped = {r[0]: r[3] for r in found}
    assert now - timedelta(days=7, minutes=1) < clamped["search_performed"] < now - timedelta(days=6)
    assert clamped["video_played"] < now + timedelta(minutes=6)


async def _refused(http: httpx.AsyncClient, token: str | None, events: list[dict[str, Any]]) -> list[str]:
    body = await gql(http, TRACK, {"events": events}, token=token, expect_errors=True)
    assert body["data"] is None
    return [e["extensions"]["code"] for e in body["errors"]]


async def test_a_bad_batch_is_refused_whole_with_a_stable_code(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await register(http)
    _, _, lessons = await make_course(stores, modules=1, lessons_per_module=1)
    marker = unique("bad")

    def good(n: int) -> list[dict[str, Any]]:
        return [
            {"name": "lesson_viewed", "occurredAt": _now(), "entityId": lessons[0], "context": {"marker": marker}}
        ] * n

    assert await _refused(http, token, good(101)) == ["ANALYTICS_BATCH_TOO_LARGE"]
    assert await _refused(http, token, [*good(3), {"name": "lesson_hacked", "occurredAt": _now()}]) == [
        "ANALYTICS_EVENT_UNKNOWN"
    ]
    big = {"name": "video_played", "occurredAt": _now(), "context": {"marker": marker, "blob": "x" * 10_000}}
    assert await _refused(http, token, [*good(3), big]) == ["ANALYTICS_CONTEXT_INVALID"]
    missing = {"name": "lesson_viewed", "occurredAt": _now(), "entityId": "lesson:no-such-lesson"}
    assert await _refused(http, token, [*good(3), missing]) == ["ANALYTICS_ENTITY_INVALID"]
    assert await _refused(http, None, good(1)) == ["UNAUTHENTICATED"]
    # A 1 MB context is over the request body limit: refused before GraphQL, with its own code.
    huge = {"name": "video_played", "occurredAt": _now(), "context": {"blob": "x" * 1_000_000}}
    response = await post_graphql(http, TRACK, {"events": [huge]}, token=token)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    # A good batch after them is written; none of the refused ones ever is.
    after = unique("after")
    ok = [{"name": "lesson_viewed", "occurredAt": _now(), "entityId": lessons[0], "context": {"marker": after}}]
    await gql(http, TRACK, {"events": ok}, token=token)
    await _until(lambda: _marked(stores, after), "the good batch")
    assert await _marked(stores, marker) == 0


async def test_learning_flows_record_server_events_that_only_admins_read(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    admin, _ = await account_with_role(http, stores, "admin")
    student, _ = await register(http)
    student_id = user_id_of(student)
    course_id, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=1)
    await gql(
        http,
        "mutation($id: ID!) { enroll(courseId: $id) { errors { code } } }",
        {"id": to_global_id("Course", course_id)},
        token=student,
    )
    progress = "mutation($i: LessonProgressInput!) { updateLessonProgress(input: $i) { errors { code } } }"
    for _ in range(2):  # completing twice records one completion
        await gql(http, progress, {"i": {"lessonId": lessons[0], "position": 1.0, "completed": True}}, token=student)

    async def seen() -> list[dict[str, Any]] | None:
        body = await gql(http, EVENTS_OF, {"id": to_global_id("User", student_id)}, token=admin)
        found: list[dict[str, Any]] = body["data"]["analyticsEvents"]
        return found if len(found) >= 3 else None

    found = await _until(seen, "the server events")
    assert sorted((e["name"], e["source"], e["entityId"], e["courseId"]) for e in found) == [
        ("course_completed", "server", content_id, content_id),
        ("enrolled", "server", None, content_id),
        ("lesson_completed", "server", lessons[0], content_id),
    ]
    for token in (student, None):
        body = await gql(http, EVENTS_OF, {"id": to_global_id("User", student_id)}, token=token, expect_errors=True)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")


def _learnhub(cluster: EmbeddedCluster, *args: str) -> subprocess.CompletedProcess[str]:
    """The `learnhub` command, as an operator runs it against these stores."""
    env = {**os.environ, **cluster.env(), "ENVIRONMENT": "test"}
    command = [sys.executable, "-m", "learnhub", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


async def test_forgetting_a_learner_leaves_counts_and_nothing_that_names_them(
    http: httpx.AsyncClient, stores: StoreAccess, cluster: EmbeddedCluster
) -> None:
    admin, _ = await account_with_role(http, stores, "admin")
    token, _ = await register(http)
    user_id = user_id_of(token)
    _, content_id, lessons = await make_course(stores, modules=1, lessons_per_module=1)
    marker = unique("forget")
    event = {"name": "lesson_viewed", "occurredAt": _now(), "entityId": lessons[0], "context": {"marker": marker}}
    await gql(http, TRACK, {"events": [event, event]}, token=token)
    await _until(lambda: _marked(stores, marker), "the events")
    today = datetime.now(UTC).date()
    await rollups.rollup_day(stores.engine, today)
    before = await _learners(stores, content_id, today)

    refused = await asyncio.to_thread(_learnhub, cluster, "analytics", "forget-user", "not-a-uuid")
    assert refused.returncode != 0
    assert "'not-a-uuid' is not a user id" in refused.stderr
    done = await asyncio.to_thread(_learnhub, cluster, "analytics", "forget-user", str(user_id))
    assert done.returncode == 0, done.stderr
    assert f"Pseudonymised 2 analytics events of user {user_id}." in done.stdout
    body = await gql(http, EVENTS_OF, {"id": to_global_id("User", user_id)}, token=admin)
    assert body["data"]["analyticsEvents"] == []
    async with stores.engine.connect() as conn:
        left = (
            await conn.execute(
                text("SELECT user_id, context FROM analytics_events WHERE course_id = :c"), {"c": content_id}
            )
        ).all()
        reach = await conn.scalar(
            text("SELECT count(*) FROM analytics_lesson_reach WHERE user_id = :u"), {"u": user_id}
        )
    assert len(left) == 2
    assert len({r[0] for r in left}) == 1
    assert left[0][0] != user_id
    assert left[0][1] == {}
    assert reach == 0
    await rollups.rollup_day(stores.engine, today)
    assert await _learners(stores, content_id, today) == before == (1, 2)


async def _learners(stores: StoreAccess, course: str, day: date) -> tuple[int, int]:
    async with stores.engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT active_learners, views FROM analytics_daily "
                    "WHERE course_id = :c AND day = :d AND kind = 'course'"
                ),
                {"c": course, "d": day},
            )
        ).one()
    return int(row[0]), int(row[1])


async def test_course_analytics_costs_the_same_round_trips_for_a_week_or_a_year(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    instructor, instructor_id = await account_with_role(http, stores, "instructor")
    student, _ = await register(http)
    course_id, _, lessons = await make_course(stores, modules=2, lessons_per_module=2)
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == course_id).values(instructor_id=instructor_id))
    marker = unique("range")
    views = [
        {"name": "lesson_viewed", "occurredAt": _now(), "entityId": lesson, "context": {"marker": marker}}
        for lesson in lessons[:3]
    ]
    await gql(http, TRACK, {"events": views}, token=student)
    await _until(lambda: _marked(stores, marker), "the events")
    today = datetime.now(UTC).date()
    await rollups.rollup_day(stores.engine, today)

    gid = to_global_id("Course", course_id)
    trips = {}
    for days in (7, 366):
        first = today - timedelta(days=days - 1)
        body = await gql(
            http, ANALYTICS, {"id": gid, "from": first.isoformat(), "to": today.isoformat()}, token=instructor
        )
        report = body["data"]["course"]["analytics"]
        assert len(report["days"]) == days
        assert (report["days"][-1]["views"], report["days"][-1]["activeLearners"]) == (3, 1)
        assert [(s["lessonId"], s["learners"]) for s in report["funnel"]] == [
            (lessons[0], 1),
            (lessons[1], 1),
            (lessons[2], 1),
            (lessons[3], 0),
        ]
        trips[days] = body["extensions"]["roundTrips"]
    print("round trips of Course.analytics:", trips)
    assert trips[7] == trips[366]
    assert trips[366]["postgres"] <= 4  # the course row; the series, totals and first reach

    # Aggregates for the course's instructor and admins; not for its students.
    variables = {"id": gid, "from": today.isoformat(), "to": today.isoformat()}
    body = await gql(http, ANALYTICS, variables, token=student, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # A range backwards or over 366 days is refused.
    for first, last in ((today, today - timedelta(days=1)), (today - timedelta(days=366), today)):
        variables = {"id": gid, "from": first.isoformat(), "to": last.isoformat()}
        body = await gql(http, ANALYTICS, variables, token=instructor, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_platform_analytics_is_for_admins(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    admin, _ = await account_with_role(http, stores, "admin")
    instructor, _ = await account_with_role(http, stores, "instructor")
    today = datetime.now(UTC).date()
    query = "query($f: Date!, $t: Date!) { platformAnalytics(from: $f, to: $t) { from to days { date events } } }"
    variables = {"f": (today - timedelta(days=2)).isoformat(), "t": today.isoformat()}
    await rollups.rollup_day(stores.engine, today)
    body = await gql(http, query, variables, token=admin)
    days = body["data"]["platformAnalytics"]["days"]
    assert [d["date"] for d in days] == [(today - timedelta(days=n)).isoformat() for n in (2, 1, 0)]
    refused = await gql(http, query, variables, token=instructor, expect_errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_old_partitions_are_detached_by_the_command(cluster: EmbeddedCluster) -> None:
    refused = await asyncio.to_thread(_learnhub, cluster, "analytics", "detach", "--before", "last-year")
    assert refused.returncode != 0
    assert "--before takes a month as YYYY-MM" in refused.stderr
    # No month of events is that old: nothing to detach, and the command says so.
    done = await asyncio.to_thread(_learnhub, cluster, "analytics", "detach", "--before", "2000-01")
    assert done.returncode == 0, done.stderr
    assert "Detached 0 monthly partitions before 2000-01." in done.stdout
