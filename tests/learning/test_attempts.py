"""Quiz attempts over HTTP: start, submit once, idempotent retries, limits, history, and a gateway
that dies mid-submission."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from learnhub.core.crash import EXIT_CODE
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import quiz_attempts
from learnhub.embedded import EmbeddedCluster
from learnhub.graphql.relay.node import from_global_id
from tests.support.client import gql, post_graphql
from tests.support.crash import crashing_gateway
from tests.support.data import StoreAccess
from tests.support.quizzes import RIGHT, SUBMIT, WRONG, QuizSetup, quiz_setup, start, submit

HISTORY = """
{ me { quizAttempts(first: 10) { nodes { id score passed submitted quizVersion
  details { quizVersion answers { questionId correct question { prompt ... on Question { correctAnswer } } } } } } } }
"""


async def _state(stores: StoreAccess, attempt: str) -> tuple[Any, ...]:
    """The attempt's summary row and its details document, as stored."""
    row_id = uuid.UUID(from_global_id(attempt)[1])
    async with stores.engine.connect() as conn:
        row = (await conn.execute(select(quiz_attempts).where(quiz_attempts.c.id == row_id))).mappings().one()
    details = await stores.db["quiz_attempt_details"].find_one({"_id": f"attempt:{row_id}"})
    return dict(row), details


async def test_a_submission_is_graded_and_shows_in_history(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    setup = await quiz_setup(http, stores)
    started = await start(http, setup)
    assert started["errors"] == []
    assert started["attempt"]["submitted"] is False
    assert started["attempt"]["quizVersion"] == 3
    attempt = started["attempt"]["id"]

    given = RIGHT | {"num": WRONG["num"]}  # 5 of 6 points
    result = await submit(http, setup, attempt, given, "key-1")
    assert result["errors"] == []
    graded = result["attempt"]
    assert (graded["score"], graded["maxScore"], graded["passed"], graded["submitted"]) == (5.0, 6.0, True, True)
    assert [a["correct"] for a in graded["details"]["answers"]] == [True, True, True, True, False]
    _, details = await _state(stores, attempt)
    assert [set(a) for a in details["answers"]] == [
        {"question_id", "response", "correct", "points_awarded", "points_possible", "explanation"}
    ] * 5

    history = (await gql(http, HISTORY, token=setup.token))["data"]["me"]["quizAttempts"]["nodes"]
    mine = next(n for n in history if n["id"] == attempt)
    assert mine["details"]["quizVersion"] == 3
    # After a submitted attempt the quiz's review setting (after_submit) shows the answers.
    assert mine["details"]["answers"][0]["question"]["correctAnswer"] == "a"


async def test_retrying_with_the_same_key_returns_the_result_and_writes_nothing(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    setup = await quiz_setup(http, stores)
    attempt = (await start(http, setup))["attempt"]["id"]
    first = await submit(http, setup, attempt, RIGHT, "same-key")
    stored = await _state(stores, attempt)
    again = await submit(http, setup, attempt, WRONG, "same-key")
    assert again == first
    assert await _state(stores, attempt) == stored
    other = await submit(http, setup, attempt, RIGHT, "another-key")
    assert other["errors"] == [{"code": "ALREADY_SUBMITTED", "field": "attemptId"}]
    assert await _state(stores, attempt) == stored


async def test_simultaneous_submissions_give_one_graded_result(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    setup = await quiz_setup(http, stores)
    attempt = (await start(http, setup))["attempt"]["id"]
    results = await asyncio.gather(
        submit(http, setup, attempt, RIGHT, "device-a"), submit(http, setup, attempt, WRONG, "device-b")
    )
    winners = [r for r in results if not r["errors"]]
    losers = [r for r in results if r["errors"]]
    assert len(winners) == 1
    assert [r["errors"] for r in losers] == [[{"code": "ALREADY_SUBMITTED", "field": "attemptId"}]]
    row, details = await _state(stores, attempt)
    assert row["score"] == winners[0]["attempt"]["score"]
    assert [a["correct"] for a in details["answers"]] == [
        a["correct"] for a in winners[0]["attempt"]["details"]["answers"]
    ]


async def test_attempts_allowed_is_enforced_even_for_concurrent_starts(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    setup = await quiz_setup(http, stores, settings={"attempts_allowed": 1})
    starts = await asyncio.gather(*(start(http, setup) for _ in range(4)))
    assert len({s["attempt"]["id"] for s in starts}) == 1  # one open attempt, resumed by the others
    await submit(http, setup, starts[0]["attempt"]["id"], RIGHT, "k")
    refused = await start(http, setup)
    assert refused == {"attempt": None, "errors": [{"code": "ATTEMPTS_EXHAUSTED", "field": "quizId"}]}


async def test_late_submissions_are_refused_by_the_server_clock(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    setup = await quiz_setup(http, stores, settings={"time_limit_seconds": 600})
    started = (await start(http, setup))["attempt"]
    assert started["deadlineAt"] is not None
    row_id = uuid.UUID(from_global_id(started["id"])[1])
    async with stores.engine.begin() as conn:  # as if the ten minutes (and the grace) had passed
        await conn.execute(
            update(quiz_attempts)
            .where(quiz_attempts.c.id == row_id)
            .values(deadline_at=quiz_attempts.c.started_at - timedelta(minutes=5))
        )
    result = await submit(http, setup, started["id"], RIGHT, "late")
    assert result["errors"] == [{"code": "TIME_LIMIT_EXCEEDED", "field": "attemptId"}]
    row, details = await _state(stores, started["id"])
    assert row["finished_at"] is None
    assert details is None


async def test_bad_submissions_are_typed_and_leave_the_attempt_open(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    setup = await quiz_setup(http, stores)
    attempt = (await start(http, setup))["attempt"]["id"]
    single = f"question:{setup.slug}-single"
    cases: list[tuple[list[dict[str, Any]], str, str]] = [
        ([{"questionId": "question:elsewhere", "response": "a"}], "", "answers[0]"),
        ([{"questionId": single, "response": "z"}], "", "answers[0]"),
        ([{"questionId": single, "response": "a"}, {"questionId": single, "response": "a"}], "", "answers[1]"),
        ([], "x" * 101, "idempotencyKey"),
        ([], "", "idempotencyKey"),
    ]
    for answers, key, field in cases:
        variables = {"a": attempt, "answers": answers, "key": key or "k"}
        if field == "idempotencyKey":
            variables["key"] = key
        body = await gql(http, SUBMIT_TEXT, variables, token=setup.token)
        assert body["data"]["submitQuizAttempt"]["errors"] == [{"code": "INVALID", "field": field}], (answers, key)
    stranger = await quiz_setup(http, stores)
    body = await gql(http, SUBMIT_TEXT, {"a": attempt, "answers": [], "key": "k"}, token=stranger.token)
    assert body["data"]["submitQuizAttempt"]["errors"] == [{"code": "NOT_FOUND", "field": "attemptId"}]
    too_many = [{"questionId": single, "response": "a"}] * 201
    body = await gql(
        http, SUBMIT_TEXT, {"a": attempt, "answers": too_many, "key": "k"}, token=setup.token, expect_errors=True
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    row, details = await _state(stores, attempt)
    assert row["finished_at"] is None
    assert details is None


SUBMIT_TEXT = """
mutation($a: ID!, $answers: [AnswerInput!]!, $key: String!) {
  submitQuizAttempt(attemptId: $a, answers: $answers, idempotencyKey: $key) { attempt { id } errors { code field } }
}
"""


async def test_starting_needs_an_enrollment_and_a_quiz(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    outsider = await quiz_setup(http, stores, enrolled=False)
    assert (await start(http, outsider))["errors"] == [{"code": "NOT_ENROLLED", "field": "quizId"}]
    missing = QuizSetup(outsider.token, f"quiz:{uuid.uuid4()}", outsider.slug, outsider.course_id)
    assert (await start(http, missing))["errors"] == [{"code": "NOT_FOUND", "field": "quizId"}]
    async with stores.engine.connect() as conn:
        rows = (
            await conn.execute(select(quiz_attempts.c.id).where(quiz_attempts.c.quiz_content_id == outsider.quiz_id))
        ).all()
    assert rows == []


# --- a crash while submitting ---------------------------------------------------------------------
# A gateway process dies in the middle of a quiz submission (DESIGN.md section 6): afterwards
# the attempt is either fully recorded or cleanly absent and retryable, never a half visible to
# users. The crashing gateway is a real `learnhub serve` process on the test stores, told where
# to die through CRASH_POINTS; the survivor is the test session's gateway.


RECENT = "{ me { quizAttempts(first: 5) { nodes { id submitted score details { quizVersion } } } } }"


async def _submit_and_die(
    cluster: EmbeddedCluster, settings: Settings, point: str, token: str, variables: dict[str, Any]
) -> None:
    async with crashing_gateway(cluster, settings, point) as (url, proc):
        async with httpx.AsyncClient(base_url=url, timeout=30) as doomed:
            with pytest.raises(httpx.TransportError):  # the process died mid-request: no response
                await post_graphql(doomed, SUBMIT, variables, token=token)
        assert await asyncio.to_thread(proc.wait, 30) == EXIT_CODE


@pytest.mark.parametrize("point", ["submit.before_details", "submit.after_details"])
async def test_a_crash_before_the_summary_leaves_nothing_visible_and_a_retry_records_it(
    point: str, http: httpx.AsyncClient, stores: StoreAccess, cluster: EmbeddedCluster, settings: Settings
) -> None:
    setup = await quiz_setup(http, stores)
    attempt = (await start(http, setup))["attempt"]["id"]
    doomed = {"a": attempt, "answers": setup.answers(WRONG), "key": "crash-key"}
    await _submit_and_die(cluster, settings, point, setup.token, doomed)

    row, details = await _state(stores, attempt)
    assert (row["finished_at"], row["details_ref"], row["score"], row["submit_key"]) == (None, None, None, None)
    # The details the dead process wrote (after_details) exist but nothing points at them.
    assert (details is not None) == (point == "submit.after_details")
    seen = (await gql(http, RECENT, token=setup.token))["data"]["me"]["quizAttempts"]["nodes"]
    assert [(n["submitted"], n["score"], n["details"]) for n in seen if n["id"] == attempt] == [(False, None, None)]

    # Retryable: the same key (now with other answers) records the attempt once, fully.
    retried = await submit(http, setup, attempt, RIGHT, "crash-key")
    assert retried["errors"] == []
    assert retried["attempt"]["score"] == 6.0
    row, details = await _state(stores, attempt)
    assert row["details_ref"] == details["_id"]
    assert all(a["correct"] for a in details["answers"])
    assert await stores.db["quiz_attempt_details"].count_documents({"attempt_id": details["attempt_id"]}) == 1


async def test_a_crash_after_the_commit_loses_only_the_response(
    http: httpx.AsyncClient, stores: StoreAccess, cluster: EmbeddedCluster, settings: Settings
) -> None:
    setup = await quiz_setup(http, stores)
    attempt = (await start(http, setup))["attempt"]["id"]
    await _submit_and_die(
        cluster, settings, "submit.after_commit", setup.token,
        {"a": attempt, "answers": setup.answers(RIGHT), "key": "after-commit"},
    )  # fmt: skip
    recorded = await _state(stores, attempt)
    assert recorded[0]["finished_at"] is not None
    assert recorded[0]["details_ref"] == recorded[1]["_id"]  # type: ignore[index]

    retried = await submit(http, setup, attempt, WRONG, "after-commit")
    assert retried["attempt"]["score"] == 6.0  # the recorded result, not a regrade
    assert await _state(stores, attempt) == recorded
