"""What the worker announces reaches subscribers: achievements, course content versions."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert

from learnhub.datasources.postgres.outbox import add_event
from learnhub.datasources.postgres.tables import activity_days
from learnhub.live import events, streams
from tests.support.authoring import add_lesson, course_with_module
from tests.support.data import StoreAccess, register, unique, user_id_of
from tests.support.live import LiveSocket
from tests.support.servers import LiveServer
from tests.support.world import account_with_role

ACHIEVEMENTS = "subscription($c: String) { achievementAwarded(after: $c) { cursor achievement { code xp } } }"
COURSE_UPDATED = """subscription($id: ID!, $c: String) { courseUpdated(courseId: $id, after: $c) {
  cursor course { id content { version } } } }"""


def _moments_ago(stream: str) -> str:
    return streams.encode_cursor(stream, f"{int(time.time() * 1000) - 1000}-0")


async def test_an_awarded_achievement_reaches_the_student(
    http_a: httpx.AsyncClient, gateway_b: LiveServer, stores: StoreAccess, publish: Any
) -> None:
    token, _ = await register(http_a)
    user_id = user_id_of(token)
    socket = await LiveSocket.signed_in(gateway_b.url, token)
    try:
        sub = await socket.subscribe(ACHIEVEMENTS, {"c": _moments_ago(streams.user_stream(user_id))})
        today = datetime.now(UTC).date()
        async with stores.engine.begin() as conn:
            days = [{"user_id": user_id, "day": today - timedelta(days=n)} for n in range(1, 7)]
            await conn.execute(insert(activity_days), days)
            await add_event(conn, "lesson.progressed", user_id, {})  # the seventh day
        await publish()
        event = (await socket.next_data(sub))["achievementAwarded"]
        assert event["achievement"]["code"] == "seven-day-streak"
    finally:
        await socket.close()


async def test_a_content_change_reaches_who_may_see_the_course_only(
    http_a: httpx.AsyncClient, gateway_a: LiveServer, stores: StoreAccess, publish: Any
) -> None:
    instructor, _ = await account_with_role(http_a, stores, "instructor")
    student, _ = await register(http_a)
    course, version = await course_with_module(http_a, instructor)  # unpublished: the instructor's alone
    outsider = await LiveSocket.signed_in(gateway_a.url, student)
    owner = await LiveSocket.signed_in(gateway_a.url, instructor)
    try:
        refused = await outsider.message_for(await outsider.subscribe(COURSE_UPDATED, {"id": course}))
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "NOT_FOUND"
        content_id = await _content_id(http_a, instructor, course)
        sub = await owner.subscribe(
            COURSE_UPDATED, {"id": course, "c": _moments_ago(streams.course_stream(content_id))}
        )
        added = await add_lesson(http_a, instructor, course, version, unique("lesson"))
        assert added["errors"] == []
        await publish()
        event = (await owner.next_data(sub))["courseUpdated"]
        assert event["course"] == {"id": course, "content": {"version": added["contentVersion"]}}
    finally:
        await outsider.close()
        await owner.close()


async def _content_id(http: httpx.AsyncClient, token: str, course: str) -> str:
    from tests.support.client import gql

    body = await gql(http, "query($c: ID!) { course(id: $c) { contentId } }", {"c": course}, token=token)
    content_id: str = body["data"]["course"]["contentId"]
    return content_id


def test_outbox_events_announce_on_the_streams_they_name() -> None:
    import uuid

    user, attempt = uuid.uuid4(), uuid.uuid4()
    found = events.of_outbox_event("quiz.submitted", user, {"attempt_id": str(attempt)}, ["first-pass"])
    assert [(a.stream, a.kind) for a in found] == [
        (streams.attempt_stream(attempt), events.ATTEMPT_GRADED),
        (streams.user_stream(user), events.ACHIEVEMENT),
    ]
    assert events.of_outbox_event("lesson.progressed", user, {}) == []  # nothing named: nothing said
    assert events.of_outbox_event("course.completed", None, {"course_id": "x"}) == []
