"""Quiz attempts: start one, submit it for grading. The write spans both stores.

Submission write order (DESIGN.md section 6), all under a row lock on the attempt:
1. lock the PostgreSQL summary row (a concurrent submission of the same attempt waits here);
2. grade on the server and write the details to MongoDB under the fixed id `attempt:<id>`;
3. finish the summary row (score, passed, `details_ref`, the idempotency key) and commit.

A crash after step 2 leaves details that nothing references: users never see them (history
reads details only through `details_ref`), the attempt is still open, and the retry's step 2
replaces them. A crash after step 3 loses only the response: the retry with the same key
reads the stored result and writes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Any

from sqlalchemy.engine import RowMapping

from learnhub.analytics.events import record_server_event
from learnhub.core.crash import crash_point
from learnhub.datasources.mongo import content
from learnhub.datasources.postgres import attempts
from learnhub.datasources.postgres.tables import utcnow
from learnhub.datasources.stores import Stores
from learnhub.learning.grading import ResponseShapeError, check_shape, grade
from learnhub.loaders.registry import Loaders
from learnhub.payments import entitlements

# Network and clock slack granted after a time limit runs out.
SUBMIT_GRACE = timedelta(seconds=30)
MAX_KEY_LENGTH = 100

Doc = dict[str, Any]


class Refusal(Enum):
    NOT_FOUND = "NOT_FOUND"
    NOT_PUBLISHED = "NOT_PUBLISHED"
    NOT_ENROLLED = "NOT_ENROLLED"
    ATTEMPTS_EXHAUSTED = "ATTEMPTS_EXHAUSTED"
    ALREADY_SUBMITTED = "ALREADY_SUBMITTED"
    TIME_LIMIT_EXCEEDED = "TIME_LIMIT_EXCEEDED"
    INVALID = "INVALID"


@dataclass(frozen=True)
class Refused:
    reason: Refusal
    message: str
    field: str | None = None


async def start(stores: Stores, loaders: Loaders, user_id: uuid.UUID, quiz_id: str) -> RowMapping | Refused:
    """Open an attempt, or return the one still open; enforces enrollment and attempts allowed."""
    quiz = await loaders.quiz_by_id.load(quiz_id)
    if quiz is None:
        return Refused(Refusal.NOT_FOUND, "No such quiz", "quizId")
    if not quiz.get("published", True):
        return Refused(Refusal.NOT_PUBLISHED, "This quiz is not open", "quizId")
    course = await loaders.course_by_content_id.load(quiz.get("course_id", ""))
    enrollment = await loaders.enrollment_by_user_course.load((user_id, course["id"])) if course else None
    if course is None or not await entitlements.may_learn(stores.engine, user_id, course, enrollment):
        return Refused(Refusal.NOT_ENROLLED, "Enroll in the course to take its quizzes", "quizId")
    settings = quiz.get("settings") or {}
    allowed = settings.get("attempts_allowed")
    limit = settings.get("time_limit_seconds")
    async with stores.engine.begin() as conn:
        await attempts.lock_user_quiz(conn, user_id, quiz_id)
        if (existing := await attempts.open_attempt(conn, user_id, quiz_id)) is not None:
            return existing
        if allowed is not None and await attempts.count_for(conn, user_id, quiz_id) >= allowed:
            return Refused(Refusal.ATTEMPTS_EXHAUSTED, f"This quiz allows {allowed} attempt(s)", "quizId")
        return await attempts.insert_attempt(
            conn,
            user_id=user_id,
            course_id=course["id"],
            quiz_id=quiz_id,
            quiz_version=int(quiz.get("version", 1)),
            deadline_at=utcnow() + timedelta(seconds=limit) if limit else None,
        )


def _responses(questions: list[Doc], answers: list[tuple[str, Any]]) -> dict[str, Any] | Refused:
    by_id = {q["_id"]: q for q in questions}
    responses: dict[str, Any] = {}
    for index, (question_id, response) in enumerate(answers):
        field = f"answers[{index}]"
        question = by_id.get(question_id)
        if question is None:
            return Refused(Refusal.INVALID, f"{question_id!r} is not a question of this quiz", field)
        if question_id in responses:
            return Refused(Refusal.INVALID, f"{question_id!r} is answered twice", field)
        try:
            check_shape(question, response)
        except ResponseShapeError as exc:
            return Refused(Refusal.INVALID, str(exc), field)
        responses[question_id] = response
    return responses


async def submit(
    stores: Stores, user_id: uuid.UUID, attempt_id: uuid.UUID, answers: list[tuple[str, Any]], key: str
) -> RowMapping | Refused:
    """Grade and record the attempt once; the same key again returns the recorded result."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        return Refused(
            Refusal.INVALID, f"Give an idempotency key of 1 to {MAX_KEY_LENGTH} characters", "idempotencyKey"
        )
    async with stores.engine.begin() as conn:
        row = await attempts.lock_attempt(conn, attempt_id)
        if row is None or row["user_id"] != user_id:
            return Refused(Refusal.NOT_FOUND, "No such attempt", "attemptId")
        if row["finished_at"] is not None:
            if row["submit_key"] == key:
                return row  # a retry: the recorded result, nothing written
            return Refused(Refusal.ALREADY_SUBMITTED, "This attempt was already submitted", "attemptId")
        if row["deadline_at"] is not None and utcnow() > row["deadline_at"] + SUBMIT_GRACE:
            return Refused(Refusal.TIME_LIMIT_EXCEEDED, "The time limit for this attempt has passed", "attemptId")
        quizzes = await content.quizzes_by_ids(stores.mongo_db, [row["quiz_content_id"]])
        if not quizzes:
            return Refused(Refusal.NOT_FOUND, "The quiz no longer exists", "attemptId")
        quiz = quizzes[0]
        order = list(quiz.get("question_ids", []))
        found = {q["_id"]: q for q in await content.questions_for_grading(stores.mongo_db, order)}
        questions = [found[q] for q in order if q in found]
        responses = _responses(questions, answers)
        if isinstance(responses, Refused):
            return responses
        graded = grade(questions, responses, int((quiz.get("settings") or {}).get("pass_percent", 70)))
        details_ref = f"attempt:{attempt_id}"
        crash_point(stores.settings, "submit.before_details")
        await content.save_attempt_details(
            stores.mongo_db,
            {
                "_id": details_ref,
                "attempt_id": str(attempt_id),
                "user_id": str(user_id),
                "quiz_id": row["quiz_content_id"],
                "quiz_version": row["quiz_version"],
                "answers": graded.answers,
                "created_at": utcnow(),
            },
        )
        crash_point(stores.settings, "submit.after_details")
        finished = await attempts.finish_attempt(
            conn,
            attempt_id,
            score=graded.score,
            max_score=graded.max_score,
            passed=graded.passed,
            details_ref=details_ref,
            submit_key=key,
        )
    crash_point(stores.settings, "submit.after_commit")
    await record_server_event(
        stores.engine,
        "quiz_submitted",
        user_id=user_id,
        course_id=quiz.get("course_id"),
        entity_id=row["quiz_content_id"],
        value=100.0 * graded.score / graded.max_score if graded.max_score else 0.0,
        # Per question, whether it was right: the rollups' "hardest questions".
        context={"answers": {str(a["question_id"]): bool(a["correct"]) for a in graded.answers}},
    )
    return finished
