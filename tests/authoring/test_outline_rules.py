"""The outline's pure rules, in process: module checks, appending a lesson, stale versions."""

from __future__ import annotations

from typing import Any

from learnhub.authoring.courses import Refused, outline_lesson_ids, outline_problems, stale, with_lesson_appended
from learnhub.authoring.validation import MAX_TITLE


def module(module_id: str, *lesson_ids: str, summary: str = "") -> dict[str, Any]:
    return {"id": module_id, "title": "Basics", "summary": summary, "lesson_ids": list(lesson_ids)}


def test_a_module_summary_may_be_empty_and_is_limited_like_a_title() -> None:
    assert outline_problems([module("m1"), module("m2", summary="s" * MAX_TITLE)], set()) == []
    assert outline_problems([module("m1", summary="s" * (MAX_TITLE + 1))], set()) == [
        ("modules[0].summary", f"Use at most {MAX_TITLE} characters")
    ]


def test_an_orphan_of_the_course_may_be_put_back_into_the_outline() -> None:
    assert outline_problems([module("m1", "lesson:a")], {"lesson:a"}) == []
    assert [field for field, _ in outline_problems([module("m1", "lesson:b")], {"lesson:a"})] == [
        "modules[0].lessonIds[0]"
    ]


def test_a_lesson_is_appended_to_its_module_only() -> None:
    modules = [module("m1", "lesson:a"), module("m2")]
    assert with_lesson_appended(modules, "m1", "lesson:b") == [module("m1", "lesson:a", "lesson:b"), module("m2")]
    assert modules == [module("m1", "lesson:a"), module("m2")]  # the outline read is left as it was
    assert with_lesson_appended(modules, "m3", "lesson:b") is None


def test_outline_lesson_ids_are_every_module_s() -> None:
    assert outline_lesson_ids({"modules": [module("m1", "lesson:a"), module("m2", "lesson:b")]}) == {
        "lesson:a",
        "lesson:b",
    }
    assert outline_lesson_ids({}) == set()


def test_a_stale_version_is_a_conflict_and_a_missing_document_not_found() -> None:
    assert [(r.code, r.field) for r in stale(7)] == [("CONFLICT", "expectedVersion")]
    assert stale(None) == [Refused("NOT_FOUND", "It no longer exists", "id")]
