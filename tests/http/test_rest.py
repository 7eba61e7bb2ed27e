"""REST routes: GET /questions returns the collection exactly as stored, GET /api/v1/quizzes/{id}
keeps its contract, and parameters no store can take are bad input."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import update

from learnhub.datasources.postgres.tables import courses
from learnhub.graphql.execution.input_guard import MAX_STRING, TOO_LONG
from tests.support.data import StoreAccess, make_course, unique
from tests.support.servers import GatewayFactory


async def _quiz_with(stores: StoreAccess, course_content_id: str, question: dict[str, Any], *, published: bool) -> None:
    await stores.db["questions"].insert_one(dict(question))
    await stores.db["quiz_content"].insert_one(
        {"_id": f"quiz:{unique('legacy')}", "course_id": course_content_id, "title": "t",
         "question_ids": [question["_id"]], "published": published}
    )  # fmt: skip


def _question(label: str) -> dict[str, Any]:
    return {
        "_id": f"question:{unique(label)}",
        "type": "single_choice",
        "prompt": "Pick one",
        "answer": "a",
        "options": [{"id": "a", "text": "A"}],
        "editor_note": "fields editors add survive",
    }


async def test_questions_route_returns_published_questions_in_their_stored_shape(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    _, open_content, _ = await make_course(stores)
    closed_course, closed_content, _ = await make_course(stores)
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == closed_course).values(published=False))
    shown, draft, unpublished_course, orphan = (_question(label) for label in ("shown", "draft", "closed", "orphan"))
    await _quiz_with(stores, open_content, shown, published=True)
    await _quiz_with(stores, open_content, draft, published=False)
    await _quiz_with(stores, closed_content, unpublished_course, published=True)
    await stores.db["questions"].insert_one(dict(orphan))

    response = await http.get("/questions")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    questions = response.json()
    assert isinstance(questions, list)
    assert [q for q in questions if q["_id"] == shown["_id"]] == [shown]
    returned = {q["_id"] for q in questions}
    assert not returned & {draft["_id"], unpublished_course["_id"], orphan["_id"]}
    assert [q["_id"] for q in questions] == sorted(returned)
    assert len(questions) == len(returned)  # a question in two quizzes comes once


async def test_questions_route_can_be_turned_off(gateway_factory: GatewayFactory) -> None:
    server = gateway_factory(legacy_questions_route=False)
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get("/questions")).status_code == 404


async def test_questions_route_wants_its_token_when_one_is_set(gateway_factory: GatewayFactory) -> None:
    token = "t" * 40
    server = gateway_factory(legacy_questions_token=SecretStr(token))
    async with httpx.AsyncClient(base_url=server.url) as http:
        for sent in ({}, {"x-legacy-token": "wrong"}):
            refused = await http.get("/questions", headers=sent)
            assert refused.status_code == 401
            assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
        assert (await http.get("/questions", headers={"x-legacy-token": token})).status_code == 200


async def test_quiz_route_contract(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    """GET /api/v1/quizzes/{quizId}: the exact shape clients rely on, without answers."""
    slug = unique("rest")
    _, course_content_id, _ = await make_course(stores)
    await stores.db["questions"].insert_many(
        [
            {"_id": f"question:{slug}-1", "type": "single_choice", "prompt": "Pick", "points": 2, "answer": "b",
             "explanation": "because", "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
            {"_id": f"question:{slug}-2", "type": "numeric", "prompt": "How many?",
             "answer": {"value": 3, "tolerance": 0}},
        ]
    )  # fmt: skip
    await stores.db["quiz_content"].insert_one(
        {
            "_id": f"quiz:{slug}",
            "course_id": course_content_id,
            "title": "REST check",
            "settings": {"pass_percent": 80, "time_limit_seconds": 300},
            "question_ids": [f"question:{slug}-2", f"question:{slug}-1", f"question:{slug}-gone"],
            "version": 2,
        }
    )

    response = await http.get(f"/api/v1/quizzes/quiz:{slug}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "id": f"quiz:{slug}",
        "courseId": course_content_id,
        "title": "REST check",
        "description": "",
        "version": 2,
        "settings": {"passPercent": 80, "timeLimitSeconds": 300, "attemptsAllowed": None},
        "questions": [
            {"id": f"question:{slug}-2", "type": "numeric", "prompt": "How many?", "points": 1.0, "options": []},
            {"id": f"question:{slug}-1", "type": "single_choice", "prompt": "Pick", "points": 2.0,
             "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
        ],
    }  # fmt: skip
    assert "because" not in response.text


async def test_quiz_route_404s_for_unknown_or_unpublished_quizzes(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    _, course_content_id, _ = await make_course(stores)
    draft = f"quiz:{unique('hidden')}"
    await stores.db["quiz_content"].insert_one(
        {"_id": draft, "course_id": course_content_id, "title": "t", "question_ids": [], "published": False}
    )
    closed_course, closed_content, _ = await make_course(stores)
    in_closed_course = f"quiz:{unique('closed')}"
    await stores.db["quiz_content"].insert_one(
        {"_id": in_closed_course, "course_id": closed_content, "title": "t", "question_ids": [], "published": True}
    )
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == closed_course).values(published=False))
    for quiz_id in (draft, in_closed_course, f"quiz:{unique('none')}", "not-a-quiz-id"):
        response = await http.get(f"/api/v1/quizzes/{quiz_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/quizzes/quiz:%00", "/api/v1/quizzes/quiz:x?page=%00", "/questions?after=a%00", "/questions?%00=1"],
)
async def test_rest_parameters_no_store_can_take_are_bad_input(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_USER_INPUT"


async def test_rest_parameters_over_the_general_bound_are_bad_input(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/quizzes/quiz:x", params={"q": "x" * (MAX_STRING + 1)})
    assert response.status_code == 400
    assert response.json()["error"] == {"code": "BAD_USER_INPUT", "message": TOO_LONG}
