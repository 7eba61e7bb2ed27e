"""Subscriptions over real sockets: fan-out across gateways, field rules, resume, resync."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from learnhub.graphql.relay.node import to_global_id
from learnhub.live import streams
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register, user_id_of
from tests.support.live import LiveSocket
from tests.support.servers import LiveServer

ENROLL = "mutation($c: ID!) { enroll(courseId: $c) { errors { code } } }"
PROGRESS = """mutation($i: LessonProgressInput!) {
  updateLessonProgress(input: $i) { courseCompleted errors { code } } }"""
MY_PROGRESS = """subscription($after: String) { myProgress(after: $after) {
  cursor kind progress { lessonId position completed } enrollment { status completionPercent } } }"""


async def _student(http: httpx.AsyncClient, stores: StoreAccess, lessons: int = 3) -> tuple[str, list[str]]:
    token, _ = await register(http)
    course_id, _, lesson_ids = await make_course(stores, modules=1, lessons_per_module=lessons)
    body = await gql(http, ENROLL, {"c": to_global_id("Course", course_id)}, token=token)
    assert body["data"]["enroll"]["errors"] == []
    return token, lesson_ids


async def _progress(http: httpx.AsyncClient, token: str, lesson: str, position: float, completed: bool = False) -> None:
    variables = {"i": {"lessonId": lesson, "position": position, "completed": completed}}
    body = await gql(http, PROGRESS, variables, token=token)
    assert body["data"]["updateLessonProgress"]["errors"] == []


async def test_progress_written_on_one_gateway_reaches_sockets_on_both(
    http_a: httpx.AsyncClient, gateway_a: LiveServer, gateway_b: LiveServer, stores: StoreAccess, publish: Any
) -> None:
    token, lessons = await _student(http_a, stores)
    on_a = await LiveSocket.signed_in(gateway_a.url, token)
    on_b = await LiveSocket.signed_in(gateway_b.url, token)
    try:
        # Resuming from a moment ago: nothing written after it can be missed, however late the
        # subscription starts following.
        since = {"after": _moments_ago(streams.user_stream(user_id_of(token)))}
        sub_a = await on_a.subscribe(MY_PROGRESS, since)
        sub_b = await on_b.subscribe(MY_PROGRESS, since)
        await _progress(http_a, token, lessons[0], 42)
        await publish()
        for socket, sub in ((on_a, sub_a), (on_b, sub_b)):
            event = (await socket.next_data(sub))["myProgress"]
            assert event["kind"] == "LESSON_PROGRESS"
            assert event["progress"] == {"lessonId": lessons[0], "position": 42, "completed": False}
            assert event["enrollment"]["status"] == "ACTIVE"
    finally:
        await on_a.close()
        await on_b.close()


def _moments_ago(stream: str) -> str:
    return streams.encode_cursor(stream, f"{int(time.time() * 1000) - 1000}-0")


async def test_a_new_subscription_gets_what_is_written_after_it(
    http_a: httpx.AsyncClient, gateway_b: LiveServer, stores: StoreAccess, publish: Any
) -> None:
    token, lessons = await _student(http_a, stores)
    socket = await LiveSocket.signed_in(gateway_b.url, token)
    try:
        sub = await socket.subscribe(MY_PROGRESS)
        # Without a cursor the subscription starts at the stream's end when it starts following:
        # write until an event arrives (each write moves the position on, so the one received
        # is the latest).
        for position in range(1, 30):
            await _progress(http_a, token, lessons[0], position)
            await publish()
            try:
                event = (await socket.next_data(sub, within=1))["myProgress"]
            except TimeoutError:
                continue
            assert event["progress"]["position"] == position
            return
        raise AssertionError("no event reached the subscription")
    finally:
        await socket.close()


async def test_a_student_never_receives_another_students_progress(
    http_a: httpx.AsyncClient, gateway_b: LiveServer, stores: StoreAccess, publish: Any
) -> None:
    mine, my_lessons = await _student(http_a, stores)
    theirs, their_lessons = await _student(http_a, stores)
    socket = await LiveSocket.signed_in(gateway_b.url, mine)
    try:
        sub = await socket.subscribe(MY_PROGRESS, {"after": _moments_ago(streams.user_stream(user_id_of(mine)))})
        await _progress(http_a, theirs, their_lessons[0], 10)
        await publish()
        await _progress(http_a, mine, my_lessons[1], 20)
        await publish()
        # In stream order: had the other student's event reached this socket, it would come first.
        event = (await socket.next_data(sub))["myProgress"]
        assert event["progress"]["lessonId"] == my_lessons[1]
    finally:
        await socket.close()


async def test_reconnecting_after_a_cursor_gets_the_missed_events(
    http_a: httpx.AsyncClient, gateway_a: LiveServer, gateway_b: LiveServer, stores: StoreAccess, publish: Any
) -> None:
    token, lessons = await _student(http_a, stores, lessons=2)
    socket = await LiveSocket.signed_in(gateway_a.url, token)
    sub = await socket.subscribe(MY_PROGRESS, {"after": _moments_ago(streams.user_stream(user_id_of(token)))})
    await _progress(http_a, token, lessons[0], 5)
    await publish()
    cursor = (await socket.next_data(sub))["myProgress"]["cursor"]
    await socket.close()  # into the tunnel
    await _progress(http_a, token, lessons[0], 6, completed=True)
    await _progress(http_a, token, lessons[1], 7, completed=True)
    await publish()
    again = await LiveSocket.signed_in(gateway_b.url, token)  # out of it, on another replica
    try:
        sub = await again.subscribe(MY_PROGRESS, {"after": cursor})
        got = [(await again.next_data(sub))["myProgress"] for _ in range(3)]
        assert [(e["kind"], (e["progress"] or {}).get("lessonId")) for e in got] == [
            ("LESSON_PROGRESS", lessons[0]),
            ("LESSON_PROGRESS", lessons[1]),
            ("COURSE_COMPLETED", None),
        ]
        assert got[0]["progress"] == {"lessonId": lessons[0], "position": 6, "completed": True}
        assert got[-1]["enrollment"]["status"] == "COMPLETED"
        assert len({e["cursor"] for e in got} | {cursor}) == 4
    finally:
        await again.close()


async def test_a_cursor_older_than_the_retention_window_asks_for_a_resync(
    http_a: httpx.AsyncClient, gateway_a: LiveServer
) -> None:
    token, _ = await register(http_a)
    old = streams.encode_cursor(streams.user_stream(user_id_of(token)), "1000-0")
    socket = await LiveSocket.signed_in(gateway_a.url, token)
    try:
        sub = await socket.subscribe(MY_PROGRESS, {"after": old})
        message = await socket.message_for(sub)
        assert message["type"] in {"next", "error"}, message
        errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
        assert errors[0]["extensions"]["code"] == "RESYNC_REQUIRED"
        other = streams.encode_cursor(streams.user_stream(uuid.uuid4()), "1000-0")
        sub = await socket.subscribe(MY_PROGRESS, {"after": other})
        message = await socket.message_for(sub)
        errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
        assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    finally:
        await socket.close()
