"""Grading a response against a question's stored answer, per question type.

Responses are checked for shape first (a wrong shape is the client's mistake and is reported
per answer); a well-formed wrong answer simply scores nothing.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]


class ResponseShapeError(ValueError):
    """The response does not have the shape its question type takes."""


def normalize_text(text: str, *, case_sensitive: bool) -> str:
    """Short-text comparison: Unicode NFKC, inner whitespace collapsed, trimmed, case folded
    unless the question says case matters."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    return folded if case_sensitive else folded.casefold()


def _option_ids(question: Doc) -> set[str]:
    return {str(option.get("id")) for option in question.get("options", [])}


def _single(question: Doc, response: Any) -> str | None:
    ok = isinstance(response, str) and response in _option_ids(question)
    return None if ok else "Give the id of one of the options"


def _multiple(question: Doc, response: Any) -> str | None:
    ok = (
        isinstance(response, list)
        and all(isinstance(r, str) for r in response)
        and set(response) <= _option_ids(question)
        and len(set(response)) == len(response)
    )
    return None if ok else "Give a list of distinct option ids"


def _ordering(question: Doc, response: Any) -> str | None:
    ok = isinstance(response, list) and sorted(map(str, response)) == sorted(_option_ids(question))
    return None if ok else "Give every option id once, in your order"


def _true_false(question: Doc, response: Any) -> str | None:
    return None if isinstance(response, bool) else "Give true or false"


def _short_text(question: Doc, response: Any) -> str | None:
    ok = isinstance(response, str) and len(response) <= MAX_TEXT
    return None if ok else f"Give text of at most {MAX_TEXT:,} characters"


def _numeric(question: Doc, response: Any) -> str | None:
    ok = not isinstance(response, bool) and isinstance(response, int | float) and math.isfinite(response)
    return None if ok else "Give a number"


MAX_TEXT = 1000
_SHAPES = {
    "single_choice": _single,
    "multiple_choice": _multiple,
    "ordering": _ordering,
    "true_false": _true_false,
    "short_text": _short_text,
    "numeric": _numeric,
}


def check_shape(question: Doc, response: Any) -> None:
    """Raise ResponseShapeError unless `response` fits the question's type."""
    kind = question.get("type")
    shape = _SHAPES.get(str(kind))
    problem = shape(question, response) if shape is not None else f"Questions of type {kind!r} cannot be answered"
    if problem is not None:
        raise ResponseShapeError(problem)


def is_correct(question: Doc, response: Any) -> bool:
    """Whether a well-shaped response matches the stored answer."""
    kind = question.get("type")
    answer = question.get("answer")
    if kind == "single_choice":
        return bool(response == answer)
    if kind == "multiple_choice":
        return isinstance(answer, list) and set(response) == set(answer)
    if kind == "ordering":
        return isinstance(answer, list) and list(response) == list(answer)
    if kind == "true_false":
        return bool(response is answer)
    if kind == "short_text":
        spec = answer if isinstance(answer, dict) else {}
        case_sensitive = bool(spec.get("case_sensitive", False))
        given = normalize_text(response, case_sensitive=case_sensitive)
        return any(given == normalize_text(str(a), case_sensitive=case_sensitive) for a in spec.get("accepted", []))
    if kind == "numeric":
        spec = answer if isinstance(answer, dict) else {}
        value = float(spec.get("value", math.nan))
        # Binary floats: 3.15 - 3.14 is 0.0100000000000002, which must still be within 0.01.
        slack = 1e-9 * max(1.0, abs(value))
        return abs(float(response) - value) <= float(spec.get("tolerance", 0.0)) + slack
    return False


@dataclass(frozen=True)
class Graded:
    answers: list[Doc]  # per question, in quiz order: question_id, response, correct, points, explanation
    score: float
    max_score: float
    passed: bool


def grade(questions: list[Doc], responses: dict[str, Any], pass_percent: int) -> Graded:
    """Grade every question of the quiz (an unanswered question scores nothing)."""
    answers = []
    score = 0.0
    max_score = 0.0
    for question in questions:
        points = float(question.get("points", 1.0))
        answered = question["_id"] in responses
        response = responses.get(question["_id"])
        correct = answered and is_correct(question, response)
        awarded = points if correct else 0.0
        score += awarded
        max_score += points
        answers.append(
            {
                "question_id": question["_id"],
                "response": response,
                "correct": correct,
                "points_awarded": awarded,
                "points_possible": points,
                # Kept with the attempt: what the student is shown when the quiz allows review.
                "explanation": str(question.get("explanation", "")),
            }
        )
    passed = max_score > 0 and score * 100 >= pass_percent * max_score
    return Graded(answers, score, max_score, passed)
