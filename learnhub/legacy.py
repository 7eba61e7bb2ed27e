"""REST routes for the older quiz app and other plain-HTTP clients. Their response shapes must not change
(tests/test_legacy.py pins them)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from learnhub.datasources.mongo.content import questions_by_ids, questions_raw_page, quizzes_by_ids
from learnhub.schema.input_guard import text_problem

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


async def list_questions(request: Request) -> Response:
    """GET /questions: every document of the `questions` collection, as stored, in one JSON array."""
    if (refused := _bad_parameter(request)) is not None:
        return refused

    db = request.app.state.stores.mongo_db

    async def body() -> AsyncIterator[bytes]:
        yield b"["
        after: str | None = None
        first = True
        while True:
            docs = await questions_raw_page(db, limit=_BATCH, after_id=after)
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
    """GET /api/v1/quizzes/{quizId}: a published quiz with its questions in order, no answers."""
    if (refused := _bad_parameter(request)) is not None:
        return refused
    quiz_id = str(request.path_params["quiz_id"])
    db = request.app.state.stores.mongo_db
    quizzes = await quizzes_by_ids(db, [quiz_id]) if quiz_id.startswith("quiz:") and len(quiz_id) <= 200 else []
    if not quizzes or not quizzes[0].get("published", True):
        body = {"error": {"code": "NOT_FOUND", "message": f"No published quiz {quiz_id!r}"}}
        return Response(orjson.dumps(body), status_code=404, media_type="application/json")
    order = list(quizzes[0].get("question_ids", []))
    found = {q["_id"]: q for q in await questions_by_ids(db, order)}
    questions = [found[q] for q in order if q in found]
    return Response(orjson.dumps(_quiz_json(quizzes[0], questions)), media_type="application/json")
