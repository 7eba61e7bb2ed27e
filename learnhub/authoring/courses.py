"""Creating and editing courses and their lessons.

Creating a course spans both stores. Write order: the PostgreSQL row is inserted in an open
transaction (its unique content id reserves the slug and keeps it invisible), the MongoDB
content is written, then the transaction commits. A crash before the commit rolls the row back
and leaves content that no row points at (nothing lists it); the retry with the same slug
replaces it. So a course is visible only with its content.

Adding a lesson follows the same idea inside MongoDB: the lesson document is written first and
is unreachable until the outline names it, then the outline is updated on the version the
client sent. A lesson document of this course that no module names (a crash left it, or
`updateCourseContent` removed it from the outline) is an orphan: adding a lesson with its slug
takes it back, keeping its id, so progress rows keyed on that id count again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping

from learnhub.authoring import validation
from learnhub.authoring.indexing import reindexing
from learnhub.caching.invalidation import content_changed
from learnhub.core.crash import crash_point
from learnhub.datasources.mongo import authoring as docs
from learnhub.datasources.mongo.documents import CourseContent, LessonContent, utcnow
from learnhub.datasources.postgres import courses, outbox
from learnhub.datasources.stores import Stores

Doc = dict[str, Any]


@dataclass(frozen=True)
class Refused:
    code: str  # INVALID, SLUG_TAKEN, NOT_FOUND, CONFLICT
    message: str
    field: str | None = None


def invalid(problems: list[tuple[str, str]]) -> list[Refused]:
    return [Refused("INVALID", message, field) for field, message in problems]


@dataclass(frozen=True)
class NewCourse:
    slug: str
    title: str
    summary: str
    description: str
    level: str
    tags: list[str]
    price_cents: int


async def create_course(
    stores: Stores, instructor_id: uuid.UUID, new: NewCourse
) -> tuple[RowMapping, Doc] | list[Refused]:
    """The new course row and its content document."""
    problems = (
        validation.slug(new.slug)
        + validation.title(new.title)
        + validation.text(new.summary, "summary")
        + validation.text(new.description, "description")
        + validation.tags(new.tags)
    )
    if new.level not in validation.LEVELS:
        problems.append(("level", "Unknown level"))
    if not 0 <= new.price_cents <= 10_000_000:
        problems.append(("priceCents", "Give a price from 0 to 10,000,000 cents"))
    if problems:
        return invalid(problems)
    content_id = f"course:{new.slug}"
    async with stores.engine.begin() as conn:
        try:
            row = await courses.insert_course(
                conn,
                content_id=content_id,
                instructor_id=instructor_id,
                level=new.level,
                tags=new.tags,
                price_cents=new.price_cents,
            )
        except courses.ContentIdTaken:
            return [Refused("SLUG_TAKEN", "A course with this slug exists", "slug")]
        content = {
            "_id": content_id,
            "title": new.title.strip(),
            "summary": new.summary,
            "description": new.description,
            "modules": [],
            "version": 1,
            "updated_at": utcnow(),
        }
        await docs.put_course_content(stores.mongo_db, content)
        crash_point(stores.settings, "create_course.after_content")
        await outbox.course_changed(conn, content_id)
    await content_changed(stores.redis)
    return row, content


def outline_problems(modules: list[Doc], lessons: set[str]) -> list[tuple[str, str]]:
    """Faults of a new outline. `lessons`: the course's lesson documents, those no module names
    included, so a lesson removed from the outline can be put back."""
    problems = []
    seen_modules: set[str] = set()
    seen_lessons: set[str] = set()
    for i, module in enumerate(modules):
        problems += validation.title(module["title"], f"modules[{i}].title")
        problems += validation.title(module["summary"], f"modules[{i}].summary", required=False)
        if not module["id"] or module["id"] in seen_modules:
            problems.append((f"modules[{i}].id", "Give every module a distinct id"))
        seen_modules.add(module["id"])
        for j, lesson in enumerate(module["lesson_ids"]):
            if lesson not in lessons:
                problems.append((f"modules[{i}].lessonIds[{j}]", f"{lesson!r} is not a lesson of this course"))
            elif lesson in seen_lessons:
                problems.append((f"modules[{i}].lessonIds[{j}]", f"{lesson!r} is listed twice"))
            seen_lessons.add(lesson)
    return problems


async def update_content(stores: Stores, content_id: str, expected_version: int, changes: Doc) -> Doc | list[Refused]:
    """Change title, summary, description and/or the modules (reorder, add, remove lessons)."""
    problems: list[tuple[str, str]] = []
    if "title" in changes:
        problems += validation.title(changes["title"])
    for field in ("summary", "description"):
        if field in changes:
            problems += validation.text(changes[field], field)
    if "modules" in changes:
        problems += outline_problems(changes["modules"], await docs.lessons_of_course(stores.mongo_db, content_id))
    if problems:
        return invalid(problems)
    async with reindexing(stores, content_id):
        updated = await docs.update_versioned(stores.mongo_db, CourseContent, content_id, expected_version, changes)
    return updated if updated is not None else await conflict(stores, CourseContent, content_id)


async def conflict(stores: Stores, model: type[Any], doc_id: str) -> list[Refused]:
    return stale(await docs.current_version(stores.mongo_db, model, doc_id))


def stale(current_version: int | None) -> list[Refused]:
    """Why a write on an outdated version was refused, given the version stored now."""
    if current_version is None:
        return [Refused("NOT_FOUND", "It no longer exists", "id")]
    return [
        Refused(
            "CONFLICT", f"Someone saved a newer version ({current_version}); reload and try again", "expectedVersion"
        )
    ]


def lesson_problems(fields: Doc) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if "title" in fields:
        problems += validation.title(fields["title"])
    if "summary" in fields:
        problems += validation.text(fields["summary"], "summary")
    if "blocks" in fields:
        problems += validation.blocks(fields["blocks"])
    if not 0 <= int(fields.get("duration_minutes", 0)) <= 1000:
        problems.append(("durationMinutes", "Give 0 to 1,000 minutes"))
    return problems


def outline_lesson_ids(content: Doc) -> set[str]:
    return {lesson_id for module in content.get("modules", []) for lesson_id in module.get("lesson_ids", [])}


def with_lesson_appended(modules: list[Doc], module_id: str, lesson_id: str) -> list[Doc] | None:
    """The outline with `lesson_id` at the end of module `module_id`; None without that module."""
    if not any(m["id"] == module_id for m in modules):
        return None
    return [{**m, "lesson_ids": [*m.get("lesson_ids", []), lesson_id]} if m["id"] == module_id else m for m in modules]


async def add_lesson(
    stores: Stores, content_id: str, *, module_id: str, expected_version: int, slug: str, fields: Doc
) -> tuple[Doc, Doc] | list[Refused]:
    """Create a lesson (or take back this course's orphan of that slug) and append it to a module.

    Returns (lesson, course content). Every check runs on the content as read, before any write,
    so a stale version, a missing module or a taken slug leaves both stores as they were.
    """
    problems = validation.slug(slug) + lesson_problems(fields)
    if problems:
        return invalid(problems)
    content = await docs.current_content(stores.mongo_db, content_id)
    current = int(content.get("version", 1)) if content is not None else None
    if content is None or current != expected_version:
        return stale(current)
    lesson_id = f"lesson:{slug}"
    modules = with_lesson_appended(content.get("modules", []), module_id, lesson_id)
    if modules is None:
        return [Refused("NOT_FOUND", "No such module in this course", "moduleId")]
    if lesson_id in outline_lesson_ids(content):
        return [Refused("SLUG_TAKEN", "A lesson of this course has this slug", "slug")]
    async with reindexing(stores, content_id):
        try:
            lesson = await docs.put_lesson(stores.mongo_db, lesson_id, content_id, fields)
        except docs.IdTaken:
            return [Refused("SLUG_TAKEN", "A lesson with this slug exists", "slug")]
        updated = await docs.update_versioned(
            stores.mongo_db, CourseContent, content_id, expected_version, {"modules": modules}
        )
    if updated is None:
        # Someone saved the outline between the read above and this write (the stale versions
        # clients send were refused before any write). A lesson made just now would be
        # unreachable: take it back. An orphan it overwrote stays an orphan, unreachable as before.
        await docs.delete_lesson(stores.mongo_db, lesson_id, version=1)
        return await conflict(stores, CourseContent, content_id)
    return lesson, updated


async def set_published(stores: Stores, row: RowMapping, published: bool) -> RowMapping | list[Refused]:
    """Publish or unpublish; a course without lessons has nothing to open, so it stays a draft."""
    if published:
        content = await docs.current_content(stores.mongo_db, row["content_id"])
        if not outline_lesson_ids(content or {}):
            return [Refused("INVALID", "Add a lesson to the course before publishing it", "published")]
    updated = await courses.set_published(stores.engine, row["id"], published)
    await content_changed(stores.redis)  # the catalogue shows the course, or no longer does
    return updated if updated is not None else [Refused("NOT_FOUND", "No such course", "courseId")]


async def update_lesson(stores: Stores, lesson: Doc, expected_version: int, changes: Doc) -> Doc | list[Refused]:
    """Change a lesson (`lesson`: its document as read, for its id and course)."""
    if problems := lesson_problems(changes):
        return invalid(problems)
    lesson_id = lesson["_id"]
    async with reindexing(stores, lesson["course_id"]):
        updated = await docs.update_versioned(stores.mongo_db, LessonContent, lesson_id, expected_version, changes)
    return updated if updated is not None else await conflict(stores, LessonContent, lesson_id)
