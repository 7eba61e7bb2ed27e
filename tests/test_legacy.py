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
