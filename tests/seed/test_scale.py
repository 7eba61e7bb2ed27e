"""`seed_scale` against real PostgreSQL and MongoDB servers: exact counts, references, idempotency.

Self-contained: the module starts its own servers instead of using the session cluster of
tests/conftest.py, because seeding fills the database with thousands of rows other tests do not expect.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection

from learnhub.core.settings import Settings
from learnhub.datasources.mongo.client import init_documents, make_client
from learnhub.datasources.mongo.documents import (
    QUESTION_TYPES,
    CourseContent,
    LessonContent,
    Question,
    QuizAttemptDetails,
    QuizContent,
)
from learnhub.datasources.postgres.engine import make_engine
from learnhub.embedded import running_cluster
from learnhub.migrations.migrate import prepare_other_stores, upgrade_postgres
from learnhub.seed.scale import (
    HEAVY_USER_ENROLLMENTS,
    HEAVY_USERS,
    LESSONS_PER_COURSE,
    QUESTIONS_PER_QUIZ,
    ScaleReport,
    course_content_id,
    seed_scale,
    user_email,
)

Doc = dict[str, Any]
T = TypeVar("T")

SCALE = 1
# Any string does: seed_scale stores it as given (a real Argon2 hash in production use).
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2NhbGUtdGVzdA$c2NhbGUtdGVzdC1oYXNoLW5vdC1hLXJlYWwtb25l"
TABLES = {  # table -> primary key, for whole-table reads in a stable order
    "users": "id",
    "user_profiles": "user_id",
    "courses": "id",
    "enrollments": "id",
    "lesson_progress": "id",
    "quiz_attempts": "id",
}
COLLECTIONS = {
    model.Settings.name: model for model in (CourseContent, LessonContent, QuizContent, Question, QuizAttemptDetails)
}


def run(settings: Settings, work: Callable[[AsyncConnection, AsyncDatabase[Doc]], Awaitable[T]]) -> T:
    """Run `work` on a fresh engine and client in a fresh event loop (this module's tests are sync)."""

    async def main() -> T:
        engine = make_engine(settings)
        client = make_client(settings)
        try:
            async with engine.connect() as conn:
                return await work(conn, client[settings.mongodb_database])
        finally:
            await client.close()
            await engine.dispose()

    return asyncio.run(main())


async def seed_twice(settings: Settings) -> tuple[ScaleReport, ScaleReport]:
    engine = make_engine(settings)
    client = make_client(settings)
    try:
        db = client[settings.mongodb_database]
        first = await seed_scale(engine, db, SCALE, password_hash=PASSWORD_HASH)
        second = await seed_scale(engine, db, SCALE, password_hash=PASSWORD_HASH)
        return first, second
    finally:
        await client.close()
        await engine.dispose()


@dataclass
class Snapshot:
    """Every seeded row and document, read back after both seed calls."""

    rows: dict[str, list[dict[str, Any]]]
    docs: dict[str, list[Doc]]

    def ids(self, collection: str) -> set[str]:
        return {doc["_id"] for doc in self.docs[collection]}


async def read_all(conn: AsyncConnection, db: AsyncDatabase[Doc]) -> Snapshot:
    rows = {}
    for table, key in TABLES.items():
        result = await conn.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))
        rows[table] = [dict(row) for row in result.mappings()]
    docs = {name: [doc async for doc in db[name].find({}, sort=[("_id", 1)])] for name in COLLECTIONS}
    return Snapshot(rows, docs)


def prepared_settings(base: Settings, database: str) -> Settings:
    """Settings for a fresh PostgreSQL database and MongoDB database on the same servers, migrated."""

    async def create(conn: AsyncConnection, _: AsyncDatabase[Doc]) -> None:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{database}"'))

    run(base, create)
    url = make_url(base.database_url).set(database=database).render_as_string(hide_password=False)
    settings = base.model_copy(update={"database_url": url, "mongodb_database": database})
    upgrade_postgres(settings)  # synchronous: Alembic runs its own event loop
    asyncio.run(prepare_other_stores(settings))
    return settings


@pytest.fixture(scope="module")
def scale_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with running_cluster(tmp_path_factory.mktemp("scale-servers"), durable=False) as cluster:
        # Field names are the environment names in lower case.
        config = Settings.model_validate({**{k.lower(): v for k, v in cluster.env().items()}, "environment": "test"})
        upgrade_postgres(config)
        asyncio.run(prepare_other_stores(config))
        yield config


@pytest.fixture(scope="module")
def reports(scale_settings: Settings) -> tuple[ScaleReport, ScaleReport]:
    return asyncio.run(seed_twice(scale_settings))


@pytest.fixture(scope="module")
def snapshot(scale_settings: Settings, reports: tuple[ScaleReport, ScaleReport]) -> Snapshot:
    return run(scale_settings, read_all)


def test_report_counts_what_was_written(reports: tuple[ScaleReport, ScaleReport], snapshot: Snapshot) -> None:
    first, _ = reports
    assert not first.skipped
    assert (first.users, first.user_profiles, first.courses) == (1_000, 1_000, 20)
    assert (first.lesson_progress, first.quiz_attempts, first.enrollments) == (
        10_000,
        5_000,
        len(snapshot.rows["enrollments"]),
    )
    assert (first.course_contents, first.lessons, first.quizzes, first.questions, first.attempt_details) == (
        20,
        960,
        20,
        200,
        5_000,
    )
    assert first.seconds > 0


def test_exact_row_and_document_counts(snapshot: Snapshot) -> None:
    counts = {table: len(rows) for table, rows in snapshot.rows.items()}
    enrollments = counts.pop("enrollments")
    assert counts == {
        "users": 1_000,
        "user_profiles": 1_000,
        "courses": 20,
        "lesson_progress": 10_000,
        "quiz_attempts": 5_000,
    }
    # 20 each for the first 100 users, 1-4 for the other 900.
    assert HEAVY_USERS * HEAVY_USER_ENROLLMENTS + 900 <= enrollments <= HEAVY_USERS * HEAVY_USER_ENROLLMENTS + 3_600
    assert {name: len(docs) for name, docs in snapshot.docs.items()} == {
        "course_content": 20,
        "lesson_content": 960,
        "quiz_content": 20,
        "questions": 200,
        "quiz_attempt_details": 5_000,
    }


def test_users_share_the_given_hash_and_numbered_emails(snapshot: Snapshot) -> None:
    users = snapshot.rows["users"]
    assert {u["password_hash"] for u in users} == {PASSWORD_HASH}
    assert sorted(u["email"] for u in users) == [user_email(i) for i in range(1_000)]
    assert {p["user_id"] for p in snapshot.rows["user_profiles"]} == {u["id"] for u in users}


def test_courses_lessons_and_quizzes_hang_together(snapshot: Snapshot) -> None:
    courses = snapshot.rows["courses"]
    assert sorted(c["content_id"] for c in courses) == [course_content_id(i) for i in range(20)]
    assert {c["content_id"] for c in courses} == snapshot.ids("course_content")
    assert sum(c["published"] for c in courses) == 18  # ~90% published
    assert all(c["published_at"] is not None for c in courses if c["published"])
    lesson_ids = snapshot.ids("lesson_content")
    for doc in snapshot.docs["course_content"]:
        outline = [lesson for module in doc["modules"] for lesson in module["lesson_ids"]]
        assert len(outline) == LESSONS_PER_COURSE == len(set(outline))
        assert set(outline) <= lesson_ids
    lesson_course = {d["_id"]: d["course_id"] for d in snapshot.docs["lesson_content"]}
    assert set(lesson_course.values()) == snapshot.ids("course_content")
    question_ids = snapshot.ids("questions")
    for quiz in snapshot.docs["quiz_content"]:
        assert quiz["course_id"] in snapshot.ids("course_content")
        assert len(quiz["question_ids"]) == QUESTIONS_PER_QUIZ == len(set(quiz["question_ids"]))
        assert set(quiz["question_ids"]) <= question_ids
    lesson_quizzes = {d["quiz_id"] for d in snapshot.docs["lesson_content"] if d["quiz_id"] is not None}
    assert lesson_quizzes == snapshot.ids("quiz_content")


def test_enrollments_and_progress_reference_existing_rows(snapshot: Snapshot) -> None:
    user_ids = {u["id"] for u in snapshot.rows["users"]}
    course_by_id = {c["id"]: c["content_id"] for c in snapshot.rows["courses"]}
    enrolled = set()
    for e in snapshot.rows["enrollments"]:
        assert e["user_id"] in user_ids
        assert e["course_id"] in course_by_id
        assert (e["status"] == "completed") == (e["completed_at"] is not None)
        enrolled.add((e["user_id"], e["course_id"]))
    assert len(enrolled) == len(snapshot.rows["enrollments"])

    lesson_course = {d["_id"]: d["course_id"] for d in snapshot.docs["lesson_content"]}
    seen = set()
    for p in snapshot.rows["lesson_progress"]:
        assert p["user_id"] in user_ids
        assert (p["user_id"], p["course_id"]) in enrolled  # only lessons of courses the user is enrolled in
        assert lesson_course[p["lesson_content_id"]] == course_by_id[p["course_id"]]
        assert p["position"] >= 0
        assert p["completed_at"] is None or p["completed_at"] >= p["started_at"]
        seen.add((p["user_id"], p["lesson_content_id"]))
    assert len(seen) == 10_000  # unique per (user, lesson)


def test_every_attempt_has_its_details_document(snapshot: Snapshot) -> None:
    details = {d["_id"]: d for d in snapshot.docs["quiz_attempt_details"]}
    enrolled = {(e["user_id"], e["course_id"]) for e in snapshot.rows["enrollments"]}
    course_by_id = {c["id"]: c["content_id"] for c in snapshot.rows["courses"]}
    quiz_course = {q["_id"]: q["course_id"] for q in snapshot.docs["quiz_content"]}
    quiz_questions = {q["_id"]: q["question_ids"] for q in snapshot.docs["quiz_content"]}
    refs = set()
    for a in snapshot.rows["quiz_attempts"]:
        ref = a["details_ref"]
        assert ref == f"attempt:{a['id']}"
        doc = details[ref]
        assert (doc["attempt_id"], doc["user_id"], doc["quiz_id"]) == (
            str(a["id"]),
            str(a["user_id"]),
            a["quiz_content_id"],
        )
        assert quiz_course[a["quiz_content_id"]] == course_by_id[a["course_id"]]
        assert (a["user_id"], a["course_id"]) in enrolled
        assert [answer["question_id"] for answer in doc["answers"]] == quiz_questions[a["quiz_content_id"]]
        assert 0 <= a["score"] <= a["max_score"]
        assert a["score"] == pytest.approx(sum(answer["points_awarded"] for answer in doc["answers"]))
        assert a["max_score"] == pytest.approx(sum(answer["points_possible"] for answer in doc["answers"]))
        assert a["finished_at"] > a["started_at"]
        refs.add(ref)
    assert refs == set(details)


def test_heavy_users_have_exactly_twenty_enrollments(snapshot: Snapshot) -> None:
    index_of = {u["id"]: int(u["email"][4:10]) for u in snapshot.rows["users"]}
    per_user = Counter(index_of[e["user_id"]] for e in snapshot.rows["enrollments"])
    assert per_user[0] == HEAVY_USER_ENROLLMENTS  # user000000@scale.learnhub.dev: the dashboard's student
    assert all(per_user[i] == HEAVY_USER_ENROLLMENTS for i in range(HEAVY_USERS))
    assert all(1 <= per_user[i] <= 4 for i in range(HEAVY_USERS, 1_000))
    user0 = next(u for u in snapshot.rows["users"] if u["email"] == user_email(0))
    assert user0["role"] == "student"


def test_question_bank_covers_every_type_with_its_shape(snapshot: Snapshot) -> None:
    questions = snapshot.docs["questions"]
    assert {q["type"] for q in questions} == set(QUESTION_TYPES)
    for q in questions:
        option_ids = [o["id"] for o in q["options"]]
        answer = q["answer"]
        match q["type"]:
            case "single_choice":
                assert answer in option_ids
            case "multiple_choice":
                assert answer
                assert set(answer) <= set(option_ids)
            case "true_false":
                assert isinstance(answer, bool)
                assert option_ids == []
            case "short_text":
                assert answer["accepted"]
                assert isinstance(answer["case_sensitive"], bool)
            case "numeric":
                assert isinstance(answer["value"], float)
                assert answer["tolerance"] >= 0


def test_documents_validate_against_the_models(scale_settings: Settings, snapshot: Snapshot) -> None:
    async def bind(_: AsyncConnection, db: AsyncDatabase[Doc]) -> None:
        await init_documents(db)  # Beanie refuses to build documents before it is initialised
        for name, model in COLLECTIONS.items():
            for doc in snapshot.docs[name]:
                assert model.model_validate(doc).id == doc["_id"]

    run(scale_settings, bind)


def test_ids_are_uuid7_stamped_with_creation_time(snapshot: Snapshot) -> None:
    for table in ("users", "courses", "enrollments", "lesson_progress"):
        for row in snapshot.rows[table][:200]:
            value: uuid.UUID = row["id"]
            assert value.version == 7
            assert value.int >> 80 == int(row["created_at"].timestamp() * 1000)


def test_second_call_writes_nothing(
    scale_settings: Settings, reports: tuple[ScaleReport, ScaleReport], snapshot: Snapshot
) -> None:
    _, second = reports
    assert second.skipped
    assert second.rows == second.documents == 0
    # And a third call, after the snapshot, still changes nothing.
    third = asyncio.run(seed_twice(scale_settings))
    assert all(report.skipped for report in third)
    after = run(scale_settings, read_all)
    assert {t: len(r) for t, r in after.rows.items()} == {t: len(r) for t, r in snapshot.rows.items()}
    assert {c: len(d) for c, d in after.docs.items()} == {c: len(d) for c, d in snapshot.docs.items()}


def test_same_scale_writes_identical_data_elsewhere(scale_settings: Settings, snapshot: Snapshot) -> None:
    twin = prepared_settings(scale_settings, "learnhub_scale_twin")
    first, _ = asyncio.run(seed_twice(twin))
    assert not first.skipped
    again = run(twin, read_all)
    assert again.docs == snapshot.docs
    assert again.rows == snapshot.rows  # ids included: they are drawn from a seeded generator too
