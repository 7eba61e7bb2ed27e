"""Which content records a viewer may reach: the one rule for courses, lessons, quizzes and questions.

A course that is not published, and a quiz that is not published, exist only for the course's
instructor and for admins; everyone else gets the answer an unknown id gets. Every record is
content of exactly one course (lessons and quizzes name it in `course_id`; a course's content
document has the course's content id), so the rule needs only the course row and, for a quiz,
its own `published` flag. The per-request loaders (learnhub/loaders/postgres.py and mongo.py)
apply it to every record they hand out, so no resolver has to remember it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.auth.viewer import Viewer
from learnhub.datasources.mongo.content import Database, Listed, listed_questions
from learnhub.datasources.postgres.courses import CourseScope, content_ids_visible_to

# Course rows (SQLAlchemy RowMapping) and content documents alike.
Record = Mapping[Any, Any]


def owns_course(viewer: Viewer, course: Record | None) -> bool:
    """The course's own instructor (still an instructor: a demoted one loses their drafts)."""
    return (
        course is not None
        and viewer.role == "instructor"
        and viewer.user_id is not None
        and course["instructor_id"] == viewer.user_id
    )


def may_see_course(viewer: Viewer, course: Record | None) -> bool:
    """A course row, and so its content and lessons: published, or the viewer runs it."""
    if course is None:
        return False
    return bool(course["published"]) or viewer.is_admin or owns_course(viewer, course)


def quiz_is_published(quiz: Record) -> bool:
    # Quizzes written before quizzes had drafts carry no flag: they were all open.
    return bool(quiz.get("published", True))


def may_see_quiz(viewer: Viewer, course: Record | None, quiz: Record) -> bool:
    """A quiz (and its questions): its course is visible, and it is published or the viewer runs it."""
    if not may_see_course(viewer, course):
        return False
    assert course is not None
    return quiz_is_published(quiz) or viewer.is_admin or owns_course(viewer, course)


def visible_quiz_filter(published_courses: list[str], own_courses: list[str]) -> dict[str, Any]:
    """The same rule as `may_see_quiz`, as a MongoDB filter on `quiz_content`, for a viewer who is
    not an admin. `published_courses`: content ids of published courses; `own_courses`: of the
    viewer's own."""
    published: dict[str, Any] = {"course_id": {"$in": published_courses}, "published": {"$ne": False}}
    if not own_courses:
        return published
    return {"$or": [published, {"course_id": {"$in": own_courses}}]}


async def visible_quizzes(engine: AsyncEngine, viewer: Viewer) -> dict[str, Any] | None:
    """The viewer's quiz rule as a MongoDB filter: one PostgreSQL read for the courses it names;
    None (no filter) for admins."""
    scope = course_scope(viewer)
    if scope.everything:
        return None
    published, own = await content_ids_visible_to(engine, scope.owner_id)
    return visible_quiz_filter(published, own)


def course_scope(viewer: Viewer) -> CourseScope:
    """The same rule as `may_see_course`, for lists filtered in SQL (a user's enrollments and
    attempts): a record in a course the viewer may not see is left out of the list."""
    if viewer.is_admin:
        return CourseScope(everything=True)
    return CourseScope(owner_id=viewer.user_id if viewer.role == "instructor" else None)


async def visible_questions(engine: AsyncEngine, db: Database, viewer: Viewer) -> Listed | None:
    """The questions the viewer may see through some quiz, with those quizzes' ids, for lists
    paged inside MongoDB (the question bank, GET /questions); None: every question (admins)."""
    quizzes = await visible_quizzes(engine, viewer)
    return await listed_questions(db, quizzes) if quizzes is not None else None
