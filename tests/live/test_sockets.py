"""Live sockets: authentication in connection_init, revocation, limits, per-record access."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
from sqlalchemy import update

from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import quiz_attempts
from learnhub.datasources.stores import Stores
from learnhub.graphql.relay.node import to_global_id
from learnhub.live import events as live
from learnhub.live import streams
from learnhub.observability import metrics
from tests.support.accounts import new_account
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register, user_id_of
from tests.support.live import LiveSocket
from tests.support.servers import LiveServer

MY_PROGRESS = "subscription { myProgress { cursor } }"
GRADED = "subscription($a: ID!) { quizAttemptGraded(attemptId: $a) { cursor attempt { id } } }"
GRADED_AFTER = (
    "subscription($a: ID!, $c: String) { quizAttemptGraded(attemptId: $a, after: $c) { cursor attempt { id score } } }"
)
COURSE_UPDATED = "subscription($c: ID!) { courseUpdated(courseId: $c) { cursor course { id } } }"


async def _error_codes(socket: LiveSocket, op_id: str) -> list[str]:
    message = await socket.message_for(op_id)
    assert message["type"] == "error", message
    return [error["extensions"]["code"] for error in message["payload"]]


async def test_a_socket_without_a_valid_token_is_refused(gateway_a: LiveServer) -> None:
    for payload in ({}, {"authorization": "Bearer not-a-token"}, {"authorization": 42}):
        socket = await LiveSocket.open(gateway_a.url, None, payload)
        code, reason = await socket.closed()
        assert code == 4403, (payload, code, reason)


async def test_subscribing_before_the_ack_closes_with_the_protocols_code(gateway_a: LiveServer) -> None:
    socket = await LiveSocket.open(gateway_a.url, None, {})
    await socket.subscribe(MY_PROGRESS)
    code, _ = await socket.closed()
    assert code in {4401, 4403}


async def test_a_revoked_session_closes_its_live_sockets_within_seconds(
    http_a: httpx.AsyncClient, gateway_b: LiveServer
) -> None:
    account = await new_account(http_a)
    socket = await LiveSocket.signed_in(gateway_b.url, account["accessToken"])
    await socket.subscribe(MY_PROGRESS)
    body = await gql(http_a, "mutation { logout { ok } }", token=account["accessToken"])
    assert body["data"]["logout"]["ok"] is True
    code, reason = await socket.closed(within=5)
    assert (code, reason) == (4403, "The session has ended")


async def test_sockets_per_user_are_limited_across_gateways(
    http_a: httpx.AsyncClient, gateway_a: LiveServer, gateway_b: LiveServer
) -> None:
    token, _ = await register(http_a)
    first = await LiveSocket.signed_in(gateway_a.url, token)
    second = await LiveSocket.signed_in(gateway_b.url, token)
    third = await LiveSocket.open(gateway_a.url, token)
    code, reason = await third.closed()
    assert code == 4429
    assert "2 live sockets" in reason
    await first.close()
    # Its slot is given back on close; the next socket is let in as soon as that is seen.
    fourth = await LiveSocket.signed_in(gateway_b.url, token)
    await second.close()
    await fourth.close()


async def test_subscriptions_per_socket_are_limited(http_a: httpx.AsyncClient, gateway_a: LiveServer) -> None:
    token, _ = await register(http_a)
    socket = await LiveSocket.signed_in(gateway_a.url, token)
    try:
        for _ in range(3):
            await socket.subscribe(MY_PROGRESS)
        refused = await socket.subscribe(MY_PROGRESS)
        assert await _error_codes(socket, refused) == ["SUBSCRIPTION_LIMIT"]
    finally:
        await socket.close()


async def test_the_query_limits_apply_to_subscription_documents(
    http_a: httpx.AsyncClient, gateway_a: LiveServer
) -> None:
    token, _ = await register(http_a)
    socket = await LiveSocket.signed_in(gateway_a.url, token)
    aliases = " ".join(f"a{i}: myProgress {{ cursor }}" for i in range(40))
    try:
        refused = await socket.subscribe(f"subscription {{ {aliases} }}")
        codes = await _error_codes(socket, refused)
        assert codes, codes
        assert "INTERNAL_SERVER_ERROR" not in codes, codes
    finally:
        await socket.close()


async def test_only_the_attempts_owner_follows_its_grading(
    http_a: httpx.AsyncClient, gateway_a: LiveServer, stores: StoreAccess, live_stores: Stores
) -> None:
    owner, _ = await register(http_a)
    other, _ = await register(http_a)
    course_id, _, _ = await make_course(stores, modules=1, lessons_per_module=1)
    async with stores.engine.begin() as conn:
        attempt_id = (
            await conn.execute(
                quiz_attempts.insert()
                .values(user_id=user_id_of(owner), course_id=course_id, quiz_content_id="quiz:live-test", max_score=1)
                .returning(quiz_attempts.c.id)
            )
        ).scalar_one()
    attempt = to_global_id("QuizAttempt", attempt_id)
    theirs = await LiveSocket.signed_in(gateway_a.url, other)
    mine = await LiveSocket.signed_in(gateway_a.url, owner)
    try:
        assert await _error_codes(theirs, await theirs.subscribe(GRADED, {"a": attempt})) == ["NOT_FOUND"]
        after = streams.encode_cursor(streams.attempt_stream(attempt_id), f"{int(time.time() * 1000) - 1000}-0")
        sub = await mine.subscribe(GRADED_AFTER, {"a": attempt, "c": after})
        async with stores.engine.begin() as conn:
            await conn.execute(
                update(quiz_attempts).where(quiz_attempts.c.id == attempt_id).values(score=1, passed=True)
            )
        # What the worker announces for a quiz.submitted event (tests/live/test_events.py).
        await live.announce(
            live_stores, live.of_outbox_event("quiz.submitted", user_id_of(owner), {"attempt_id": str(attempt_id)})
        )
        event = (await mine.next_data(sub))["quizAttemptGraded"]
        assert event["attempt"] == {"id": attempt, "score": 1}
    finally:
        await theirs.close()
        await mine.close()


async def test_a_subscription_sent_over_http_is_refused_cleanly(http_a: httpx.AsyncClient) -> None:
    token, _ = await register(http_a)
    response = await http_a.post("/graphql", json={"query": MY_PROGRESS}, headers={"authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR", body


async def test_a_socket_closes_when_its_access_token_expires(
    http_a: httpx.AsyncClient, gateway_a: LiveServer, settings: Settings
) -> None:
    token, _ = await register(http_a)
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = settings.jwt_active_key_id
    # The same session, with a token that runs out in two seconds (the setting's minimum is 60).
    short = jwt.encode(
        claims | {"exp": int(time.time()) + 2},
        settings.jwt_keys[kid].get_secret_value(),
        algorithm="HS256",
        headers={"kid": kid},
    )
    socket = await LiveSocket.signed_in(gateway_a.url, short)
    await socket.subscribe(MY_PROGRESS)
    code, reason = await socket.closed(within=10)
    assert (code, reason) == (4403, "The access token has expired")


async def test_open_sockets_are_counted_for_the_metrics(http_a: httpx.AsyncClient, gateway_a: LiveServer) -> None:
    """The `learnhub_live_sockets` gauge follows signed-in sockets opening and closing (the gateways
    of the tests run in this process, so its value is read here)."""
    token, _ = await register(http_a)
    before = metrics.LIVE_SOCKETS._value.get()
    socket = await LiveSocket.signed_in(gateway_a.url, token)
    assert metrics.LIVE_SOCKETS._value.get() == before + 1
    await socket.close()
    deadline = time.monotonic() + 5
    while metrics.LIVE_SOCKETS._value.get() != before:
        assert time.monotonic() < deadline, "the closed socket is still counted"
        await asyncio.sleep(0.01)
