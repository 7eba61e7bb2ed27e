"""REST routes for the older quiz app and other plain-HTTP clients. Their response shapes must not change
(tests/http/test_rest.py pins them)."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from learnhub.auth.viewer import ANONYMOUS
from learnhub.auth.visibility import visible_questions
from learnhub.datasources.mongo.content import questions_raw_page
from learnhub.datasources.stores import Stores
from learnhub.graphql.execution.input_guard import text_problem
from learnhub.loaders.registry import Loaders

# Documents are streamed in batches so a large question bank never sits in memory whole.
_BATCH = 500


def _error(status: int, code: str, message: str) -> Response:
    return Response(orjson.dumps({"error": {"code": code, "message": message}}), status, media_type="application/json")


def _bad_parameter(request: Request) -> Response | None:
    """400 for a path or query parameter no store can take (NUL, not UTF-8, over-long), before any
    lookup: the same rules as GraphQL arguments (schema/input_guard.py)."""
    query = [text for item in request.query_params.multi_items() for text in item]
    problem = text_problem([*request.path_params.values(), *query])
    return None if problem is None else _error(400, "BAD_USER_INPUT", problem)


def _token_accepted(request: Request) -> bool:
    expected = request.app.state.settings.legacy_questions_token
    if expected is None:
        return True
    sent = request.headers.get("x-legacy-token", "")
    return hmac.compare_digest(sent.encode(), expected.get_secret_value().encode())


async def list_questions(request: Request) -> Response:
    """GET /questions: the questions of published quizzes of published courses, each as stored
    (answers included: the older app grades on the device), in `_id` order, in one JSON array."""
    if (refused := _bad_parameter(request)) is not None:
        return refused
    if not _token_accepted(request):
        return _error(401, "UNAUTHENTICATED", "Send the legacy route's token in X-Legacy-Token")
    stores: Stores = request.app.state.stores
    db = stores.mongo_db
    listed = await visible_questions(stores.engine, db, ANONYMOUS)

    async def body() -> AsyncIterator[bytes]:
        yield b"["
        after: str | None = None
        first = True
        while True:
            docs = await questions_raw_page(db, listed, limit=_BATCH, after_id=after)
            for doc in docs:
                yield (b"" if first else b",") + orjson.dumps(doc)
                first = False
            if len(docs) < _BATCH:
                break
            after = docs[-1]["_id"]
        yield b"]"

    return StreamingResponse(body(), media_type="application/json")


def _quiz_json(quiz: dict[str, Any], questions: list[dict[str, Any]]) -> dict[str, Any]:
    settings = quiz.get("settings") or {}
    return {
        "id": quiz["_id"],
        "courseId": quiz.get("course_id"),
        "title": quiz.get("title", ""),
        "description": quiz.get("description", ""),
        "version": int(quiz.get("version", 1)),
        "settings": {
            "passPercent": int(settings.get("pass_percent", 70)),
            "timeLimitSeconds": settings.get("time_limit_seconds"),
            "attemptsAllowed": settings.get("attempts_allowed"),
        },
        # Never answers or explanations: the projection leaves them in the database.
        "questions": [
            {
                "id": q["_id"],
                "type": q.get("type"),
                "prompt": q.get("prompt", ""),
                "points": float(q.get("points", 1)),
                "options": [{"id": o.get("id"), "text": o.get("text")} for o in q.get("options", [])],
            }
            for q in questions
        ],
    }


async def get_quiz(request: Request) -> Response:
    """GET /api/v1/quizzes/{quizId}: a published quiz of a published course with its questions in
    order, no answers; anything else is not found, as an unknown id is."""
    if (refused := _bad_parameter(request)) is not None:
        return refused
    quiz_id = str(request.path_params["quiz_id"])
    stores: Stores = request.app.state.stores
    loaders = Loaders(stores.engine, stores.mongo_db, ANONYMOUS)
    quiz = await loaders.quiz_by_id.load(quiz_id) if quiz_id.startswith("quiz:") and len(quiz_id) <= 200 else None
    if quiz is None:
        return _error(404, "NOT_FOUND", f"No published quiz {quiz_id!r}")
    order = list(quiz.get("question_ids", []))
    found = await loaders.member_question_by_id.load_many(order)
    questions = [q for q in found if q is not None]
    return Response(orjson.dumps(_quiz_json(quiz, questions)), media_type="application/json")
