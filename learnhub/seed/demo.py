"""Load the demo catalogue and demo accounts. Safe to run again: it never overwrites edits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnhub.auth.passwords import hash_password
from learnhub.core.ids import uuid7
from learnhub.core.settings import Settings
from learnhub.datasources.mongo.client import init_documents, make_client
from learnhub.datasources.mongo.documents import CourseContent, LessonContent, Question, QuizAttemptDetails, QuizContent
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.postgres.tables import (
    courses,
    enrollments,
    lesson_progress,
    quiz_attempts,
    user_profiles,
    users,
)
from learnhub.seed.catalog import COURSES, DEMO_ADMIN, DEMO_INSTRUCTOR, DEMO_STUDENT, CourseSpec
from learnhub.seed.plans import seed_plans

Doc = dict[str, Any]


@dataclass(frozen=True)
class DemoReport:
    courses: int
    lessons: int
    questions: int
    student_id: uuid.UUID


def _collection(db: AsyncDatabase[Doc], model: type[Any]) -> Any:
    return db[model.Settings.name]


def content_documents(spec: CourseSpec, now: datetime) -> dict[type[Any], list[Doc]]:
    """The MongoDB documents of one course, in their stored shape."""
    course_id = f"course:{spec.slug}"
    quiz_id = f"quiz:{spec.quiz_slug}"
    lessons: list[Doc] = []
    modules: list[Doc] = []
    last_lesson = spec.modules[-1].lessons[-1].slug
    for module in spec.modules:
        modules.append(
            {
                "id": f"module:{module.slug}",
                "title": module.title,
                "summary": "",
                "lesson_ids": [f"lesson:{lesson.slug}" for lesson in module.lessons],
            }
        )
        for lesson in module.lessons:
            lessons.append(
                {
                    "_id": f"lesson:{lesson.slug}",
                    "course_id": course_id,
                    "title": lesson.title,
                    "summary": lesson.summary,
                    "blocks": [{"kind": "markdown", "text": text} for text in lesson.body],
                    "preview": lesson.preview,
                    "duration_minutes": lesson.minutes,
                    "quiz_id": quiz_id if lesson.slug == last_lesson else None,
                    "version": 1,
                    "updated_at": now,
                }
            )
    questions = [
        {
            "_id": f"question:{q['slug']}",
            "type": q["type"],
            "prompt": q["prompt"],
            "options": [{"id": oid, "text": text} for oid, text in q.get("options", [])],
            "answer": q["answer"],
            "explanation": q.get("explanation", ""),
            "points": 1.0,
            "tags": list(spec.tags[:2]),
            "difficulty": q.get("difficulty", "medium"),
            "created_at": now,
            "updated_at": now,
        }
        for q in spec.questions
    ]
    quiz = {
        "_id": quiz_id,
        "course_id": course_id,
        "title": spec.quiz_title,
        "description": f"Check your grasp of {spec.title}.",
        "settings": {"pass_percent": 70, "time_limit_seconds": 600, "attempts_allowed": 3},
        "question_ids": [q["_id"] for q in questions],
        "published": True,
        "version": 1,
        "updated_at": now,
    }
    course = {
        "_id": course_id,
        "title": spec.title,
        "summary": spec.summary,
        "description": spec.description,
        "modules": modules,
        "version": 1,
        "updated_at": now,
    }
    return {CourseContent: [course], LessonContent: lessons, QuizContent: [quiz], Question: questions}


async def _insert_missing(db: AsyncDatabase[Doc], model: type[Any], docs: list[Doc]) -> None:
    # $setOnInsert: a document an editor has changed since is left as it is.
    collection = _collection(db, model)
    for doc in docs:
        await collection.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)


async def _ensure_user(conn: AsyncConnection, account: dict[str, str], role: str) -> uuid.UUID:
    existing = (await conn.execute(select(users.c.id).where(users.c.email == account["email"]))).scalar()
    if existing is not None:
        return uuid.UUID(str(existing))
    user_id = uuid7()
    await conn.execute(
        insert(users).values(
            id=user_id, email=account["email"], role=role, password_hash=await hash_password(account["password"])
        )
    )
    await conn.execute(
        insert(user_profiles).values(user_id=user_id, display_name=account["display_name"], timezone="UTC")
    )
    return user_id


async def seed_demo(engine: AsyncEngine, db: AsyncDatabase[Doc]) -> DemoReport:
    now = datetime.now(UTC)
    lesson_count = question_count = 0
    for spec in COURSES:
        for model, docs in content_documents(spec, now).items():
            await _insert_missing(db, model, docs)
            lesson_count += len(docs) if model is LessonContent else 0
            question_count += len(docs) if model is Question else 0

    async with engine.begin() as conn:
        instructor_id = await _ensure_user(conn, DEMO_INSTRUCTOR, "instructor")
        student_id = await _ensure_user(conn, DEMO_STUDENT, "student")
        await _ensure_user(conn, DEMO_ADMIN, "admin")
        course_ids: dict[str, uuid.UUID] = {}
        for spec in COURSES:
            await conn.execute(
                insert(courses)
                .values(
                    id=uuid7(),
                    content_id=f"course:{spec.slug}",
                    instructor_id=instructor_id,
                    level=spec.level,
                    tags=spec.tags,
                    published=True,
                    published_at=now,
                    price_cents=spec.price_cents,
                )
                .on_conflict_do_nothing(index_elements=["content_id"])
            )
            course_ids[spec.slug] = (
                await conn.execute(select(courses.c.id).where(courses.c.content_id == f"course:{spec.slug}"))
            ).scalar_one()
        await _seed_student(conn, db, student_id, course_ids, now)
        await seed_plans(conn)
    return DemoReport(courses=len(COURSES), lessons=lesson_count, questions=question_count, student_id=student_id)


async def _seed_student(
    conn: AsyncConnection,
    db: AsyncDatabase[Doc],
    student_id: uuid.UUID,
    course_ids: dict[str, uuid.UUID],
    now: datetime,
) -> None:
    """Two enrollments, some progress and one graded attempt, so `me` has something to show."""
    rest, graphql = course_ids["rest-api-design"], course_ids["graphql-fundamentals"]
    for course_id in (rest, graphql):
        await conn.execute(
            insert(enrollments)
            .values(id=uuid7(), user_id=student_id, course_id=course_id, status="active")
            .on_conflict_do_nothing()
        )
    progress = [
        ("lesson:rest-intro", rest, True),
        ("lesson:rest-resources", rest, True),
        ("lesson:rest-http-methods", rest, False),
        ("lesson:gql-intro", graphql, True),
    ]
    for lesson_id, course_id, done in progress:
        await conn.execute(
            insert(lesson_progress)
            .values(
                id=uuid7(),
                user_id=student_id,
                course_id=course_id,
                lesson_content_id=lesson_id,
                position=420.0 if done else 95.0,
                started_at=now - timedelta(days=2),
                completed_at=now - timedelta(days=1) if done else None,
            )
            .on_conflict_do_nothing()
        )
    has_attempt = (
        await conn.execute(select(quiz_attempts.c.id).where(quiz_attempts.c.user_id == student_id).limit(1))
    ).first()
    if has_attempt is not None:
        return
    attempt_id = uuid7()
    details_ref = f"attempt:{attempt_id}"
    answers = [
        ("question:rest-safe-method", "b", True),
        ("question:rest-idempotent-methods", ["a", "c", "d"], True),
        ("question:rest-stateless", False, True),
        ("question:rest-created-code", "201", True),
        ("question:rest-conflict-code", 400, False),
    ]
    # Details first, summary second: a summary never points at details that do not exist.
    await _collection(db, QuizAttemptDetails).update_one(
        {"_id": details_ref},
        {
            "$setOnInsert": {
                "_id": details_ref,
                "attempt_id": str(attempt_id),
                "user_id": str(student_id),
                "quiz_id": "quiz:rest-basics",
                "quiz_version": 1,
                "created_at": now,
                "answers": [
                    {
                        "question_id": q,
                        "response": r,
                        "correct": ok,
                        "points_awarded": 1.0 if ok else 0.0,
                        "points_possible": 1.0,
                    }
                    for q, r, ok in answers
                ],
            }
        },
        upsert=True,
    )
    await conn.execute(
        insert(quiz_attempts).values(
            id=attempt_id,
            user_id=student_id,
            course_id=rest,
            quiz_content_id="quiz:rest-basics",
            score=4.0,
            max_score=5.0,
            passed=True,
            started_at=now - timedelta(hours=3),
            finished_at=now - timedelta(hours=2, minutes=52),
            details_ref=details_ref,
        )
    )


async def seed_demo_from(settings: Settings) -> DemoReport:
    """Open PostgreSQL and MongoDB clients from `settings`, seed the demo catalogue, close them."""
    engine = make_engine(settings)
    client = make_client(settings)
    try:
        await init_documents(client[settings.mongodb_database])
        return await seed_demo(engine, client[settings.mongodb_database])
    finally:
        await engine.dispose()
        await client.close()
