"""Index documents built from the source stores: what each kind's collection holds.

Visibility goes into every document as `visible_to`: "public" when students may see the record
(the rule of learnhub/auth/visibility.py: a published course; for a question, a published quiz
of a published course lists it) and "user:<id>" for each instructor who owns it. Admins search
without the filter. Hits are loaded afterwards through the visible loaders, so a record hidden
after it was indexed is dropped before anyone sees it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from learnhub.search.text import lesson_markdown, plain_text

Doc = dict[str, Any]
PUBLIC = "public"


def _edited(question: Mapping[str, Any]) -> int:
    """A question's version for `search check`: its last edit, in whole seconds."""
    updated = question.get("updated_at")
    return int(updated.timestamp()) if updated is not None else 0


def owner_token(user_id: object) -> str:
    return f"user:{user_id}"


def course_visibility(row: Mapping[Any, Any]) -> list[str]:
    tokens = [PUBLIC] if row["published"] else []
    if row["instructor_id"] is not None:
        tokens.append(owner_token(row["instructor_id"]))
    return tokens


def outline(content: Mapping[str, Any]) -> list[str]:
    """Lesson ids in teaching order; lessons no module names are not part of the course."""
    return [lesson_id for module in content.get("modules", []) for lesson_id in module.get("lesson_ids", [])]


@dataclass
class CourseDocs:
    """The index documents of one or more courses, and which lessons each course has."""

    courses: list[Doc] = field(default_factory=list)
    lessons: list[Doc] = field(default_factory=list)
    questions: list[Doc] = field(default_factory=list)
    lesson_bodies: dict[str, tuple[str, str, str, int]] = field(default_factory=dict)  # id -> course, title, md, ver


def build(
    rows: Sequence[Mapping[Any, Any]],
    contents: Iterable[Mapping[str, Any]],
    lessons: Iterable[Mapping[str, Any]],
    *,
    quizzes_by_question: Mapping[str, Sequence[Mapping[str, Any]]],
    rows_by_content_id: Mapping[str, Mapping[Any, Any]],
    questions: Iterable[Mapping[str, Any]],
) -> CourseDocs:
    """Documents for the courses in `rows` (PostgreSQL) with their MongoDB content.

    `quizzes_by_question`: every quiz listing each question (of any course), and
    `rows_by_content_id` the course rows of those quizzes, so a question's visibility and
    courses account for every quiz it sits in.
    """
    out = CourseDocs()
    content_by_id = {c["_id"]: c for c in contents}
    lesson_by_id = {lesson["_id"]: lesson for lesson in lessons}
    for row in rows:
        content = content_by_id.get(row["content_id"])
        if content is None:
            continue  # a row whose content write never finished: nothing to show
        visible = course_visibility(row)
        common = {
            "course_id": row["content_id"],
            "visible_to": visible,
            "tags": list(row["tags"]),
            "level": row["level"],
        }
        lesson_ids = [i for i in outline(content) if i in lesson_by_id]
        out.courses.append(
            common
            | {
                "id": row["content_id"],
                "key": row["content_id"],
                "title": content.get("title", ""),
                "summary": content.get("summary", ""),
                "description": content.get("description", ""),
                "outline": [m.get("title", "") for m in content.get("modules", [])]
                + [lesson_by_id[i].get("title", "") for i in lesson_ids],
                "content_version": int(content.get("version", 1)),
            }
        )
        for lesson_id in lesson_ids:
            lesson = lesson_by_id[lesson_id]
            markdown = lesson_markdown(lesson.get("blocks", []))
            version = int(lesson.get("version", 1))
            out.lessons.append(
                common
                | {
                    "id": lesson_id,
                    "key": lesson_id,
                    "title": lesson.get("title", ""),
                    "summary": lesson.get("summary", ""),
                    "body": plain_text(markdown),
                    "course_title": content.get("title", ""),
                    "preview": bool(lesson.get("preview", False)),
                    "content_version": version,
                }
            )
            out.lesson_bodies[lesson_id] = (row["content_id"], lesson.get("title", ""), markdown, version)
    for question in questions:
        quizzes = quizzes_by_question.get(question["_id"], [])
        owners = [rows_by_content_id[q["course_id"]] for q in quizzes if q["course_id"] in rows_by_content_id]
        if not owners:
            continue  # listed by no quiz of an existing course: unreachable, so not indexed
        public = any(
            q.get("published", True) and rows_by_content_id.get(q["course_id"], {}).get("published", False)
            for q in quizzes
        )
        visible = ([PUBLIC] if public else []) + sorted(
            {owner_token(r["instructor_id"]) for r in owners if r["instructor_id"] is not None}
        )
        first = owners[0]
        out.questions.append(
            {
                "id": question["_id"],
                "key": question["_id"],
                "course_id": first["content_id"],
                "course_ids": sorted({r["content_id"] for r in owners}),
                "visible_to": visible,
                "tags": list(question.get("tags", [])),
                "level": first["level"],
                "prompt": question.get("prompt", ""),
                "difficulty": question.get("difficulty", "medium"),
                "content_version": _edited(question),
            }
        )
    return out
