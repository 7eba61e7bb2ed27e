"""GET /questions: the older quiz app's route returns the collection exactly as stored."""

from __future__ import annotations

import httpx

from tests.conftest import GatewayFactory
from tests.helpers import Stores, unique


async def test_questions_route_returns_documents_in_their_stored_shape(http: httpx.AsyncClient, stores: Stores) -> None:
    question_id = f"question:{unique('legacy')}"
    stored = {
        "_id": question_id,
        "type": "single_choice",
        "prompt": "Pick one",
        "answer": "a",
        "options": [{"id": "a", "text": "A"}],
        "editor_note": "fields editors add survive",
    }
    await stores.db["questions"].insert_one(dict(stored))

    response = await http.get("/questions")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    questions = response.json()
    assert isinstance(questions, list)
    assert [q for q in questions if q["_id"] == question_id] == [stored]
    assert len(questions) == await stores.db["questions"].count_documents({})
    assert [q["_id"] for q in questions] == sorted(q["_id"] for q in questions)


async def test_questions_route_can_be_turned_off(gateway_factory: GatewayFactory) -> None:
    server = gateway_factory(legacy_questions_route=False)
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get("/questions")).status_code == 404


async def test_quiz_route_contract(http: httpx.AsyncClient, stores: Stores) -> None:
    """GET /api/v1/quizzes/{quizId}: the exact shape clients rely on, without answers."""
    slug = unique("rest")
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
            "course_id": "course:somewhere",
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
        "courseId": "course:somewhere",
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


async def test_quiz_route_404s_for_unknown_or_unpublished_quizzes(http: httpx.AsyncClient, stores: Stores) -> None:
    hidden = f"quiz:{unique('hidden')}"
    await stores.db["quiz_content"].insert_one(
        {"_id": hidden, "course_id": "course:x", "title": "t", "question_ids": [], "published": False}
    )
    for quiz_id in (hidden, f"quiz:{unique('none')}", "not-a-quiz-id"):
        response = await http.get(f"/api/v1/quizzes/{quiz_id}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
