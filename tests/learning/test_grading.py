"""Grading rules per question type (pure functions: no store involved)."""

from __future__ import annotations

from typing import Any

import pytest

from learnhub.learning.grading import ResponseShapeError, check_shape, grade, is_correct, normalize_text
from tests.support.quizzes import RIGHT, WRONG, questions

QUESTIONS = {q["_id"].rsplit("-", 1)[1]: q for q in questions("g")}


@pytest.mark.parametrize("kind", sorted(QUESTIONS))
def test_right_and_wrong_answers(kind: str) -> None:
    question = QUESTIONS[kind]
    check_shape(question, RIGHT[kind])
    check_shape(question, WRONG[kind])
    assert is_correct(question, RIGHT[kind])
    assert not is_correct(question, WRONG[kind])


@pytest.mark.parametrize(
    ("kind", "response"),
    [
        ("single", "z"), ("single", ["a"]), ("multi", "a"), ("multi", ["a", "a"]), ("multi", ["z"]),
        ("tf", "false"), ("tf", 0), ("text", 201), ("text", "x" * 1001), ("num", "443"), ("num", True),
        ("num", float("nan")),
    ],
)  # fmt: skip
def test_badly_shaped_responses_are_refused(kind: str, response: Any) -> None:
    with pytest.raises(ResponseShapeError):
        check_shape(QUESTIONS[kind], response)


def test_short_text_normalisation() -> None:
    assert normalize_text("  \uff28ello \t World ", case_sensitive=False) == "hello world"
    assert normalize_text("Hello  World", case_sensitive=True) == "Hello World"
    sensitive = {"type": "short_text", "answer": {"accepted": ["GET"], "case_sensitive": True}}
    assert is_correct(sensitive, " GET ")
    assert not is_correct(sensitive, "get")


def test_numeric_tolerance_is_inclusive() -> None:
    question = {"type": "numeric", "answer": {"value": 3.14, "tolerance": 0.01}}
    assert is_correct(question, 3.15)
    assert is_correct(question, 3.13)
    assert not is_correct(question, 3.16)


def test_score_points_and_pass_mark() -> None:
    qs = list(QUESTIONS.values())
    everything = grade(qs, {q["_id"]: RIGHT[k] for k, q in QUESTIONS.items()}, pass_percent=60)
    assert (everything.score, everything.max_score, everything.passed) == (6.0, 6.0, True)
    # multi (2 points) and num right: 3 of 6 = 50 % < 60 %; unanswered questions score nothing.
    half = grade(qs, {QUESTIONS["multi"]["_id"]: RIGHT["multi"], QUESTIONS["num"]["_id"]: 443}, pass_percent=60)
    assert (half.score, half.passed) == (3.0, False)
    assert [a["correct"] for a in half.answers] == [False, True, False, False, True]
    assert grade(qs, {}, pass_percent=50).passed is False
