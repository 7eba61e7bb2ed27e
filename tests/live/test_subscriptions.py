"""Subscriptions over real sockets: fan-out across gateways, field rules, resume, resync."""

from __future__ import annotations

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
        sub_a = await on_a.subscribe(MY_PROGRESS)
        sub_b = await on_b.subscribe(MY_PROGRESS)
        # A socket is following once it answers a ping after its subscribe (handled in order).
        await _await_following(on_a, on_b)
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


async def _await_following(*sockets: LiveSocket) -> None:
    for socket in sockets:
        await socket.ws.send('{"type": "ping"}')
        while True:
            message = await socket.receive()
            if message["type"] == "pong":
                break
            socket.pending.append(message)
