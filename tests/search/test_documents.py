"""Index documents: who may see each (`visible_to`), which lessons and questions are indexed at
all, and that nothing a student must not read (answers, explanations, options) reaches an index."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from learnhub.search.documents import PUBLIC, build, course_visibility, outline, owner_token

Row = dict[str, Any]


def course_row(content_id: str, *, published: bool, instructor: uuid.UUID | None = None) -> Row:
    """A PostgreSQL course row as the indexer reads it."""
    return {
        "content_id": content_id,
        "published": published,
        "instructor_id": instructor if instructor is not None else uuid.uuid4(),
        "tags": ["python", content_id],
        "level": "beginner",
    }


def content(content_id: str, *modules: list[str]) -> dict[str, Any]:
    return {
        "_id": content_id,
        "title": f"Course {content_id}",
        "summary": f"Summary of {content_id}",
        "description": f"Description of {content_id}",
        "modules": [{"title": f"Module {i}", "lesson_ids": ids} for i, ids in enumerate(modules)],
        "version": 3,
    }


def lesson(lesson_id: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"_id": lesson_id, "title": f"Lesson {lesson_id}", "summary": "", "blocks": list(blocks), "version": 2}


def question(question_id: str) -> dict[str, Any]:
    return {
        "_id": question_id,
        "prompt": f"What does {question_id} ask?",
        "tags": ["sql"],
        "difficulty": "hard",
        "options": [{"text": "SECRET-OPTION", "correct": True}],
        "answer": "SECRET-ANSWER",
        "correct_option": 0,
        "explanation": "SECRET-EXPLANATION",
        "updated_at": datetime(2024, 5, 1, 12, 0, 30, tzinfo=UTC),
    }


def build_courses(rows: list[Row], contents: list[dict[str, Any]], lessons: list[dict[str, Any]]) -> Any:
    return build(rows, contents, lessons, quizzes_by_question={}, rows_by_content_id={}, questions=[])


def build_questions(
    questions: list[dict[str, Any]], quizzes: dict[str, list[dict[str, Any]]], rows: list[Row]
) -> list[dict[str, Any]]:
    built = build(
        [],
        [],
        [],
        quizzes_by_question=quizzes,
        rows_by_content_id={r["content_id"]: r for r in rows},
        questions=questions,
    )
    return list(built.questions)


def test_a_published_course_is_public_and_its_instructors() -> None:
    row = course_row("c1", published=True)
    built = build_courses([row], [content("c1", ["l1"])], [lesson("l1")])
    expected = [PUBLIC, f"user:{row['instructor_id']}"]
    assert course_visibility(row) == expected
    assert [d["visible_to"] for d in built.courses + built.lessons] == [expected, expected]


def test_a_draft_course_is_visible_to_its_instructor_only() -> None:
    row = course_row("c1", published=False)
    built = build_courses([row], [content("c1", ["l1"])], [lesson("l1")])
    expected = [owner_token(row["instructor_id"])]
    assert expected == [f"user:{row['instructor_id']}"]
    assert course_visibility(row) == expected
    assert [d["visible_to"] for d in built.courses + built.lessons] == [expected, expected]


@pytest.mark.parametrize("published", [True, False])
def test_a_course_without_an_instructor_has_no_owner_token(published: bool) -> None:
    row = course_row("c1", published=published) | {"instructor_id": None}
    assert course_visibility(row) == ([PUBLIC] if published else [])


def test_outline_lists_lesson_ids_in_teaching_order() -> None:
    assert outline(content("c", ["a", "b"], [], ["c"])) == ["a", "b", "c"]
    assert outline({"modules": [{"title": "no lessons"}]}) == []
    assert outline({}) == []


def test_only_lessons_named_in_the_outline_are_indexed_in_outline_order() -> None:
    row = course_row("c1", published=True)
    lessons = [lesson("orphan"), lesson("second"), lesson("first")]
    built = build_courses([row], [content("c1", ["first"], ["second", "missing"])], lessons)
    assert [d["id"] for d in built.lessons] == ["first", "second"]
    assert set(built.lesson_bodies) == {"first", "second"}
    [course] = built.courses
    assert course["outline"] == ["Module 0", "Module 1", "Lesson first", "Lesson second"]


def test_a_course_row_without_content_is_skipped() -> None:
    rows = [course_row("c1", published=True), course_row("unwritten", published=True)]
    built = build_courses(rows, [content("c1", ["l1"])], [lesson("l1")])
    assert [d["id"] for d in built.courses] == ["c1"]
    assert {d["course_id"] for d in built.lessons} == {"c1"}


def test_course_and_lesson_documents_carry_the_rows_filters_and_content() -> None:
    row = course_row("c1", published=True)
    built = build_courses([row], [content("c1", ["l1"])], [lesson("l1") | {"preview": True}])
    [course], [doc] = built.courses, built.lessons
    for document in (course, doc):
        assert (document["course_id"], document["tags"], document["level"]) == ("c1", row["tags"], row["level"])
    assert (course["id"], course["key"], course["title"]) == ("c1", "c1", "Course c1")
    assert (doc["id"], doc["key"], doc["course_title"], doc["preview"]) == ("l1", "l1", "Course c1", True)


def test_a_lesson_body_is_plain_text_and_its_markdown_is_kept_for_chunking() -> None:
    blocks = (
        {"kind": "text", "text": "# Joins\n\nUse **inner** joins, see [the manual](https://example.org)."},
        {"kind": "code", "language": "sql", "text": "SELECT * FROM a JOIN b USING (id);"},
    )
    row = course_row("c1", published=True)
    built = build_courses([row], [content("c1", ["l1"])], [lesson("l1", *blocks)])
    [doc] = built.lessons
    for mark in ("#", "**", "```", "](", "https://example.org"):
        assert mark not in doc["body"]
    for word in ("Joins", "inner", "the manual", "SELECT", "JOIN b USING"):
        assert word in doc["body"]
    course_id, title, markdown, version = built.lesson_bodies["l1"]
    assert (course_id, title, version) == ("c1", "Lesson l1", 2)
    assert "```sql" in markdown
    assert "# Joins" in markdown


def test_a_question_is_public_when_a_published_quiz_of_a_published_course_lists_it() -> None:
    open_course, draft_course = course_row("open", published=True), course_row("draft", published=False)
    quizzes = {
        "q": [{"course_id": "draft", "published": True}, {"course_id": "open", "published": True}],
    }
    [doc] = build_questions([question("q")], quizzes, [open_course, draft_course])
    owners = sorted(owner_token(r["instructor_id"]) for r in (open_course, draft_course))
    assert doc["visible_to"] == [PUBLIC, *owners]
    assert doc["course_ids"] == ["draft", "open"]


@pytest.mark.parametrize(
    ("quiz_published", "course_published"),
    [(True, False), (False, True), (False, False)],
)
def test_a_question_is_not_public_unless_both_quiz_and_course_are_published(
    quiz_published: bool, course_published: bool
) -> None:
    row = course_row("c1", published=course_published)
    quizzes = {"q": [{"course_id": "c1", "published": quiz_published}]}
    [doc] = build_questions([question("q")], quizzes, [row])
    assert doc["visible_to"] == [owner_token(row["instructor_id"])]


def test_a_quiz_without_a_published_flag_counts_as_published() -> None:
    row = course_row("c1", published=True)
    [doc] = build_questions([question("q")], {"q": [{"course_id": "c1"}]}, [row])
    assert doc["visible_to"] == [PUBLIC, owner_token(row["instructor_id"])]


def test_a_quiz_of_an_unknown_course_does_not_make_a_question_public() -> None:
    row = course_row("c1", published=False)
    quizzes = {"q": [{"course_id": "gone", "published": True}, {"course_id": "c1", "published": True}]}
    [doc] = build_questions([question("q")], quizzes, [row])
    assert doc["visible_to"] == [owner_token(row["instructor_id"])]
    assert doc["course_ids"] == ["c1"]


def test_a_question_no_quiz_of_an_existing_course_lists_is_left_out() -> None:
    row = course_row("c1", published=True)
    quizzes = {"listed": [{"course_id": "c1"}], "stray": [{"course_id": "gone", "published": True}]}
    docs = build_questions([question("listed"), question("stray"), question("unlisted")], quizzes, [row])
    assert [d["id"] for d in docs] == ["listed"]


def test_one_instructor_of_several_courses_is_one_token() -> None:
    teacher = uuid.uuid4()
    rows = [course_row("a", published=False, instructor=teacher), course_row("b", published=False, instructor=teacher)]
    quizzes = {"q": [{"course_id": "b"}, {"course_id": "a"}]}
    [doc] = build_questions([question("q")], quizzes, rows)
    assert doc["visible_to"] == [owner_token(teacher)]
    assert (doc["course_id"], doc["course_ids"]) == ("b", ["a", "b"])


def test_question_documents_hold_no_answers_explanations_or_options() -> None:
    row = course_row("c1", published=True)
    source = question("q")
    [doc] = build_questions([source], {"q": [{"course_id": "c1"}]}, [row])
    assert not {"answer", "explanation", "options", "correct_option"} & doc.keys()
    assert "SECRET" not in repr(doc)
    assert doc["prompt"] == source["prompt"]
    assert doc["difficulty"] == source["difficulty"]
    assert doc["content_version"] == int(source["updated_at"].timestamp())
