"""A quiz with one question of every type, in an enrolled student's course."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from learnhub.graphql.relay.node import to_global_id
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register, unique

ENROLL = "mutation($c: ID!) { enroll(courseId: $c) { errors { code } } }"
START = """
mutation($q: ID!) { startQuizAttempt(quizId: $q) {
  attempt { id submitted deadlineAt quizVersion } errors { code field } } }
"""
SUBMIT = """
mutation($a: ID!, $answers: [AnswerInput!]!, $key: String!) {
  submitQuizAttempt(attemptId: $a, answers: $answers, idempotencyKey: $key) {
    attempt { id score maxScore passed submitted finishedAt
      details { answers { questionId correct pointsAwarded } } }
    errors { code field }
  }
}
"""


def questions(slug: str) -> list[dict[str, Any]]:
    return [
        {"_id": f"question:{slug}-single", "type": "single_choice", "prompt": "Safe method?",
         "options": [{"id": "a", "text": "GET"}, {"id": "b", "text": "POST"}], "answer": "a", "points": 1},
        {"_id": f"question:{slug}-multi", "type": "multiple_choice", "prompt": "Idempotent methods?",
         "options": [{"id": "a", "text": "PUT"}, {"id": "b", "text": "DELETE"}, {"id": "c", "text": "POST"}],
         "answer": ["a", "b"], "points": 2},
        {"_id": f"question:{slug}-tf", "type": "true_false", "prompt": "GET has a body?", "answer": False,
         "points": 1},
        {"_id": f"question:{slug}-text", "type": "short_text", "prompt": "Status for created?",
         "answer": {"accepted": ["201 Created", "201"], "case_sensitive": False}, "points": 1},
        {"_id": f"question:{slug}-num", "type": "numeric", "prompt": "Default HTTPS port?",
         "answer": {"value": 443, "tolerance": 0}, "points": 1},
    ]  # fmt: skip


# Right answers for every question (by suffix), and a response of the right shape that is wrong.
RIGHT = {"single": "a", "multi": ["b", "a"], "tf": False, "text": "  201   created ", "num": 443}
WRONG = {"single": "b", "multi": ["a"], "tf": True, "text": "200", "num": 80}


@dataclass
class QuizSetup:
    token: str
    quiz_id: str
    slug: str
    course_id: Any

    def answers(self, given: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"questionId": f"question:{self.slug}-{k}", "response": v} for k, v in given.items()]


async def quiz_setup(
    http: httpx.AsyncClient, stores: StoreAccess, *, settings: dict[str, Any] | None = None, enrolled: bool = True
) -> QuizSetup:
    token, _ = await register(http)
    course_id, content_id, _ = await make_course(stores, modules=1, lessons_per_module=1)
    slug = unique("q")
    await stores.db["questions"].insert_many(questions(slug))
    quiz_id = f"quiz:{slug}"
    await stores.db["quiz_content"].insert_one(
        {
            "_id": quiz_id,
            "course_id": content_id,
            "title": "Methods",
            "settings": {"pass_percent": 60, **(settings or {})},
            "question_ids": [q["_id"] for q in questions(slug)],
            "published": True,
            "version": 3,
        }
    )
    if enrolled:
        await gql(http, ENROLL, {"c": to_global_id("Course", course_id)}, token=token)
    return QuizSetup(token, quiz_id, slug, course_id)


async def start(http: httpx.AsyncClient, setup: QuizSetup) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql(http, START, {"q": setup.quiz_id}, token=setup.token))["data"][
        "startQuizAttempt"
    ]
    return payload


async def submit(
    http: httpx.AsyncClient, setup: QuizSetup, attempt_id: str, given: dict[str, Any], key: str
) -> dict[str, Any]:
    variables = {"a": attempt_id, "answers": setup.answers(given), "key": key}
    payload: dict[str, Any] = (await gql(http, SUBMIT, variables, token=setup.token))["data"]["submitQuizAttempt"]
    return payload
