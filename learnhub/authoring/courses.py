"""Creating and editing courses and their lessons.

Creating a course spans both stores. Write order: the PostgreSQL row is inserted in an open
transaction (its unique content id reserves the slug and keeps it invisible), the MongoDB
content is written, then the transaction commits. A crash before the commit rolls the row back
and leaves content that no row points at (nothing lists it); the retry with the same slug
replaces it. So a course is visible only with its content.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping

from learnhub.authoring import validation
from learnhub.crash import crash_point
from learnhub.datasources.mongo import authoring as docs
from learnhub.datasources.mongo.documents import CourseContent, LessonContent, utcnow
from learnhub.datasources.postgres import courses
from learnhub.stores import Stores

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


async def create_course(stores: Stores, instructor_id: uuid.UUID, new: NewCourse) -> RowMapping | list[Refused]:
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
        await docs.put_course_content(
            stores.mongo_db,
            {
                "_id": content_id,
                "title": new.title.strip(),
                "summary": new.summary,
                "description": new.description,
                "modules": [],
                "version": 1,
                "updated_at": utcnow(),
            },
        )
        crash_point(stores.settings, "create_course.after_content")
    return row


def _modules(modules: list[Doc], lessons: set[str]) -> list[tuple[str, str]]:
    problems = []
    seen_modules: set[str] = set()
    seen_lessons: set[str] = set()
    for i, module in enumerate(modules):
        problems += validation.title(module["title"], f"modules[{i}].title")
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
        problems += _modules(changes["modules"], await docs.lessons_of_course(stores.mongo_db, content_id))
    if problems:
        return invalid(problems)
    updated = await docs.update_versioned(stores.mongo_db, CourseContent, content_id, expected_version, changes)
    return updated if updated is not None else await conflict(stores, CourseContent, content_id)


async def conflict(stores: Stores, model: type[Any], doc_id: str) -> list[Refused]:
    current = await docs.current_version(stores.mongo_db, model, doc_id)
    if current is None:
        return [Refused("NOT_FOUND", "It no longer exists", "id")]
    return [Refused("CONFLICT", f"Someone saved a newer version ({current}); reload and try again", "expectedVersion")]


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


async def add_lesson(
    stores: Stores, content_id: str, *, module_id: str, expected_version: int, slug: str, fields: Doc
) -> tuple[Doc, Doc] | list[Refused]:
    """Create a lesson and append it to a module; returns (lesson, course content)."""
    problems = validation.slug(slug) + lesson_problems(fields)
    if problems:
        return invalid(problems)
    content = (await docs.current_content(stores.mongo_db, content_id)) or {}
    modules = content.get("modules", [])
    if not any(m["id"] == module_id for m in modules):
        return [Refused("NOT_FOUND", "No such module in this course", "moduleId")]
    lesson_id = f"lesson:{slug}"
    lesson = {"_id": lesson_id, "course_id": content_id, "version": 1, "updated_at": utcnow(), **fields}
    try:
        await docs.insert_lesson(stores.mongo_db, lesson)
    except docs.IdTaken:
        return [Refused("SLUG_TAKEN", "A lesson with this slug exists", "slug")]
    for module in modules:
        if module["id"] == module_id:
            module["lesson_ids"] = [*module.get("lesson_ids", []), lesson_id]
    updated = await docs.update_versioned(
        stores.mongo_db, CourseContent, content_id, expected_version, {"modules": modules}
    )
    if updated is None:
        # Not in any module, the lesson would be unreachable: take it back.
        await docs.delete_lesson(stores.mongo_db, lesson_id)
        return await conflict(stores, CourseContent, content_id)
    return lesson, updated


async def update_lesson(stores: Stores, lesson_id: str, expected_version: int, changes: Doc) -> Doc | list[Refused]:
    if problems := lesson_problems(changes):
        return invalid(problems)
    updated = await docs.update_versioned(stores.mongo_db, LessonContent, lesson_id, expected_version, changes)
    return updated if updated is not None else await conflict(stores, LessonContent, lesson_id)
