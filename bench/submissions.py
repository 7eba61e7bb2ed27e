"""The write shape: open quiz attempts made ahead of a run, and the right answers to submit for them.

Each wrk request must be a real first submission, so every run gets its own batch of open
attempts, inserted directly the way `startQuizAttempt` inserts them (one row per attempt, the
deadline set from the quiz's time limit). The students are seeded ones, enrolled in the quizzes'
courses, and answer every question correctly.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from learnhub.core.ids import uuid7
from learnhub.core.settings import Settings
from learnhub.datasources.mongo.client import make_client
from learnhub.datasources.mongo.documents import Question, QuizContent
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.postgres.tables import courses, enrollments, quiz_attempts, users, utcnow
from learnhub.graphql.relay.node import to_global_id
from learnhub.seed.scale import user_email

Doc = dict[str, Any]

# Heavy users (20 enrollments each): a few students, so the load is not one user's alone.
SUBMITTERS = 4
SUBMIT_QUERY = (Path(__file__).parent / "queries" / "submit.graphql").read_text()


@dataclass(frozen=True)
class QuizKey:
    """One quiz a student may submit: its course row and the correct answer to each question."""

    email: str
    user_id: uuid.UUID
    course_id: uuid.UUID
    quiz_id: str
    version: int
    time_limit_s: int | None
    answers: tuple[tuple[str, Any], ...]


def correct_response(question: Doc) -> Any:
    """The response that scores full points (see learnhub/learning/grading.py)."""
    kind: str = question["type"]
    answer: Any = question.get("answer")
    if kind == "short_text":
        return answer["accepted"][0]
    if kind == "numeric":
        return answer["value"]
    return answer  # an option id, a list of option ids, or a bool


def submitter_emails() -> list[str]:
    return [user_email(i) for i in range(SUBMITTERS)]


async def _quiz_keys(settings: Settings) -> list[QuizKey]:
    engine = make_engine(settings)
    client = make_client(settings)
    db = client[settings.mongodb_database]
    try:
        async with engine.connect() as conn:
            stmt = (
                select(users.c.email, enrollments.c.user_id, courses.c.id, courses.c.content_id)
                .join(courses, courses.c.id == enrollments.c.course_id)
                .join(users, users.c.id == enrollments.c.user_id)
                .where(users.c.email.in_(submitter_emails()), courses.c.published, enrollments.c.status != "cancelled")
                .order_by(enrollments.c.user_id, courses.c.id)
            )
            enrolled = (await conn.execute(stmt)).all()
        course_ids = sorted({row.content_id for row in enrolled})
        quizzes = {
            q["course_id"]: q
            async for q in db[QuizContent.Settings.name].find(
                {"course_id": {"$in": course_ids}, "published": True},
                {"course_id": 1, "question_ids": 1, "version": 1, "settings": 1},
            )
        }
        question_ids = sorted({qid for q in quizzes.values() for qid in q["question_ids"]})
        questions = {q["_id"]: q async for q in db[Question.Settings.name].find({"_id": {"$in": question_ids}})}
    finally:
        await engine.dispose()
        await client.close()
    keys = []
    for row in enrolled:
        quiz = quizzes.get(row.content_id)
        if quiz is None:
            continue
        keys.append(
            QuizKey(
                email=row.email,
                user_id=row.user_id,
                course_id=row.id,
                quiz_id=quiz["_id"],
                version=int(quiz.get("version", 1)),
                time_limit_s=(quiz.get("settings") or {}).get("time_limit_seconds"),
                answers=tuple((qid, correct_response(questions[qid])) for qid in quiz["question_ids"]),
            )
        )
    if not keys:
        raise RuntimeError("no published quiz in the submitting students' courses")
    return keys


async def _open_attempts(settings: Settings, keys: list[QuizKey], count: int) -> list[tuple[QuizKey, uuid.UUID]]:
    now = utcnow()
    made = [(keys[i % len(keys)], uuid7()) for i in range(count)]
    rows = [
        {
            "id": attempt_id,
            "user_id": key.user_id,
            "course_id": key.course_id,
            "quiz_content_id": key.quiz_id,
            "max_score": 0.0,
            "started_at": now,
            "deadline_at": now + timedelta(seconds=key.time_limit_s) if key.time_limit_s else None,
            "quiz_version": key.version,
            "created_at": now,
        }
        for key, attempt_id in made
    ]
    engine = make_engine(settings)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(quiz_attempts), rows)
    finally:
        await engine.dispose()
    return made


def submission_body(key: QuizKey, attempt_id: uuid.UUID) -> Doc:
    return {
        "query": SUBMIT_QUERY,
        "operationName": "Submit",
        "variables": {
            "attemptId": to_global_id("QuizAttempt", attempt_id),
            "answers": [{"questionId": qid, "response": response} for qid, response in key.answers],
            "key": uuid.uuid4().hex,
        },
    }


class Submissions:
    """Makes batches of open attempts and writes them as wrk request lines."""

    def __init__(self, settings: Settings, authorization: dict[str, str]) -> None:
        """`authorization`: the Authorization header of each of `submitter_emails()`."""
        self._settings = settings
        self._authorization = authorization
        self._keys = asyncio.run(_quiz_keys(settings))

    def batch(self, count: int) -> list[tuple[str, Doc]]:
        """`count` new open attempts, as (Authorization header, request body) pairs."""
        made = asyncio.run(_open_attempts(self._settings, self._keys, count))
        return [(self._authorization[key.email], submission_body(key, attempt_id)) for key, attempt_id in made]

    def write_batch(self, count: int, path: Path) -> Path:
        lines = [f"{auth}\t{json.dumps(body, separators=(',', ':'))}" for auth, body in self.batch(count)]
        path.write_text("\n".join(lines) + "\n")
        return path
