"""A gateway process dies in the middle of a quiz submission (DESIGN.md section 6): afterwards
the attempt is either fully recorded or cleanly absent and retryable, never a half visible to
users. The crashing gateway is a real `learnhub serve` process on the test stores, told where
to die through CRASH_POINTS; the survivor is the test session's gateway."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from learnhub.core.crash import EXIT_CODE
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import quiz_attempts
from learnhub.embedded import EmbeddedCluster
from learnhub.graphql.relay.node import from_global_id
from tests.support.client import gql
from tests.support.crash import crashing_gateway
from tests.support.data import StoreAccess
from tests.support.quizzes import RIGHT, SUBMIT, WRONG, quiz_setup, start, submit

HISTORY = "{ me { quizAttempts(first: 5) { nodes { id submitted score details { quizVersion } } } } }"


async def _state(stores: StoreAccess, attempt: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    row_id = uuid.UUID(from_global_id(attempt)[1])
    async with stores.engine.connect() as conn:
        row = (await conn.execute(select(quiz_attempts).where(quiz_attempts.c.id == row_id))).mappings().one()
    return dict(row), await stores.db["quiz_attempt_details"].find_one({"_id": f"attempt:{row_id}"})


async def _submit_and_die(
    cluster: EmbeddedCluster, settings: Settings, point: str, token: str, variables: dict[str, Any]
) -> None:
    async with crashing_gateway(cluster, settings, point) as (url, proc):
        async with httpx.AsyncClient(base_url=url, timeout=30) as doomed:
            with pytest.raises(httpx.TransportError):  # the process died mid-request: no response
                await doomed.post(
                    "/graphql", json={"query": SUBMIT, "variables": variables},
                    headers={"authorization": f"Bearer {token}"},
                )  # fmt: skip
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
    seen = (await gql(http, HISTORY, token=setup.token))["data"]["me"]["quizAttempts"]["nodes"]
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
