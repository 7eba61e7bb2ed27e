"""Quizzes and questions: per-type validation, publishing, and questions graded attempts keep."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.authoring import CREATE_QUIZ, PUBLISH_COURSE, PUBLISH_QUIZ, SAVE_QUESTION, publishable_course
from tests.support.client import gql
from tests.support.data import StoreAccess, unique
from tests.support.world import account_with_role

VALID: dict[str, dict[str, Any]] = {
    "SINGLE_CHOICE": {"options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "answer": "b"},
    "MULTIPLE_CHOICE": {"options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "answer": ["a", "b"]},
    "ORDERING": {"options": [{"id": "x", "text": "first"}, {"id": "y", "text": "second"}], "answer": ["x", "y"]},
    "TRUE_FALSE": {"answer": True},
    "SHORT_TEXT": {"answer": {"accepted": ["idempotent"], "case_sensitive": False}},
    "NUMERIC": {"answer": {"value": 443, "tolerance": 0}},
}
INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("SINGLE_CHOICE", {"options": [{"id": "a", "text": "A"}], "answer": "a"}, "options"),
    ("SINGLE_CHOICE", {"options": VALID["SINGLE_CHOICE"]["options"], "answer": "z"}, "answer"),
    ("MULTIPLE_CHOICE", {"options": VALID["MULTIPLE_CHOICE"]["options"], "answer": []}, "answer"),
    ("ORDERING", {"options": VALID["ORDERING"]["options"], "answer": ["x"]}, "answer"),
    ("TRUE_FALSE", {"answer": "yes"}, "answer"),
    ("TRUE_FALSE", {"options": [{"id": "a", "text": "A"}], "answer": True}, "options"),
    ("SHORT_TEXT", {"answer": {"accepted": []}}, "answer"),
    ("NUMERIC", {"answer": {"value": 1, "tolerance": -1}}, "answer"),
    ("NUMERIC", {"answer": 5}, "answer"),
]


async def _quiz(http: httpx.AsyncClient, stores: StoreAccess) -> tuple[str, str, str]:
    """(instructor token, course id, quiz id) for a new published course with a draft quiz."""
    token, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, token)
    published = await gql(http, PUBLISH_COURSE, {"c": course, "p": True}, token=token)
    assert published["data"]["publishCourse"]["errors"] == []
    slug = unique("quiz")
    quiz = await gql(http, CREATE_QUIZ, {"i": {"courseId": course, "slug": slug, "title": "Check"}}, token=token)
    assert quiz["data"]["createQuiz"]["errors"] == []
    return token, course, f"quiz:{slug}"


async def _save(http: httpx.AsyncClient, token: str, quiz: str, version: int, kind: str, fields: dict[str, Any],
                question_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    data = {"type": kind, "prompt": f"A {kind} question", **fields}
    variables = {"q": quiz, "v": version, "id": question_id, "i": data}
    payload: dict[str, Any] = (await gql(http, SAVE_QUESTION, variables, token=token))["data"]["saveQuestion"]
    return payload


async def test_every_question_type_is_accepted(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _, quiz = await _quiz(http, stores)
    version = 1
    for kind, fields in VALID.items():
        saved = await _save(http, token, quiz, version, kind, fields)
        assert saved["errors"] == [], kind
        version = saved["quiz"]["version"]
    assert len(saved["quiz"]["questions"]) == len(VALID)
    stored = (
        await stores.db["questions"]
        .find({"_id": {"$in": [q["contentId"] for q in saved["quiz"]["questions"]]}})
        .to_list()
    )
    assert {q["type"] for q in stored} == {k.lower() for k in VALID}


@pytest.mark.parametrize(("kind", "fields", "field"), INVALID)
async def test_bad_questions_are_refused_per_field(
    http: httpx.AsyncClient, stores: StoreAccess, kind: str, fields: dict[str, Any], field: str
) -> None:
    token, _, quiz = await _quiz(http, stores)
    saved = await _save(http, token, quiz, 1, kind, fields)
    assert saved["quiz"] is None
    assert [(e["code"], e["field"]) for e in saved["errors"]] == [("INVALID", field)]
    assert (await stores.db["quiz_content"].find_one({"_id": quiz}))["question_ids"] == []


async def test_publishing_and_questions_that_attempts_used_stay_as_graded(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    from tests.support.quizzes import ENROLL, START, SUBMIT

    token, course, quiz = await _quiz(http, stores)
    empty = (await gql(http, PUBLISH_QUIZ, {"q": quiz, "v": 1, "p": True}, token=token))["data"]["publishQuiz"]
    assert [e["code"] for e in empty["errors"]] == ["INVALID"]
    saved = await _save(http, token, quiz, 1, "SINGLE_CHOICE", VALID["SINGLE_CHOICE"])
    original = saved["quiz"]["questions"][0]["contentId"]
    published = (await gql(http, PUBLISH_QUIZ, {"q": quiz, "v": 2, "p": True}, token=token))["data"]["publishQuiz"]
    assert published["quiz"] == {"version": 3, "published": True}

    student, _ = await account_with_role(http, stores, "student")
    await gql(http, ENROLL, {"c": course}, token=student)
    attempt = (await gql(http, START, {"q": quiz}, token=student))["data"]["startQuizAttempt"]["attempt"]["id"]
    answers = [{"questionId": original, "response": "b"}]
    graded = await gql(http, SUBMIT, {"a": attempt, "answers": answers, "key": "k"}, token=student)
    assert graded["data"]["submitQuizAttempt"]["attempt"]["score"] == 1.0

    # The instructor changes the right answer: the graded attempt keeps its question.
    changed = await _save(http, token, quiz, 3, "SINGLE_CHOICE", VALID["SINGLE_CHOICE"] | {"answer": "a"}, original)
    assert changed["errors"] == []
    replacement = changed["quiz"]["questions"][0]["contentId"]
    assert replacement != original
    assert (await stores.db["questions"].find_one({"_id": original}))["answer"] == "b"
    assert (await stores.db["questions"].find_one({"_id": replacement}))["answer"] == "a"
    review = """{ me { quizAttempts(first: 1) { nodes { details { answers {
      questionId correct question { ... on Question { correctAnswer } } } } } } } }"""
    seen = (await gql(http, review, token=student))["data"]["me"]["quizAttempts"]["nodes"][0]["details"]["answers"]
    assert seen == [{"questionId": original, "correct": True, "question": {"correctAnswer": "b"}}]

    stale = await _save(http, token, quiz, 3, "TRUE_FALSE", VALID["TRUE_FALSE"])
    assert [e["code"] for e in stale["errors"]] == ["CONFLICT"]
    assert await stores.db["questions"].count_documents({"_id": {"$regex": f"^question:{quiz[5:]}"}}) == 2
