"""A small world for permission tests: one course, its instructor, an enrolled student who has
submitted a quiz attempt, an outsider of each role, and an admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy import insert, update

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.tables import courses, quiz_attempts, users, utcnow
from learnhub.graphql.relay.node import to_global_id
from tests.support.accounts import login, new_account
from tests.support.data import StoreAccess, complete_lesson, enroll, make_course, unique, user_id_of

NO_ID = uuid.UUID(int=0)
ROLES = ("anonymous", "student", "other_student", "instructor", "other_instructor", "admin")


async def account_with_role(http: httpx.AsyncClient, stores: StoreAccess, role: str) -> tuple[str, uuid.UUID]:
    """A fresh account of `role`, signed in after the role was set: (access token, user id)."""
    account = await new_account(http)
    user_id = user_id_of(account["accessToken"])
    if role != "student":
        async with stores.engine.begin() as conn:
            await conn.execute(update(users).where(users.c.id == user_id).values(role=role))
    signed_in = await login(http, account["email"])
    return signed_in["accessToken"], user_id


async def add_quiz(stores: StoreAccess, course_content_id: str, *, review: str = "after_submit") -> tuple[str, str]:
    """A one-question quiz in the course: (quiz content id, question content id)."""
    slug = unique("quiz")
    quiz_id, question_id = f"quiz:{slug}", f"question:{slug}-1"
    await stores.db["questions"].insert_one(
        {
            "_id": question_id,
            "type": "single_choice",
            "prompt": "Which method is idempotent?",
            "options": [{"id": "a", "text": "POST"}, {"id": "b", "text": "PUT"}],
            "answer": "b",
            "explanation": "PUT replaces the resource; repeating it changes nothing.",
            "points": 1,
        }
    )
    await stores.db["quiz_content"].insert_one(
        {
            "_id": quiz_id,
            "course_id": course_content_id,
            "title": "Check",
            "settings": {"pass_percent": 70, "review": review},
            "question_ids": [question_id],
            "published": True,
        }
    )
    return quiz_id, question_id


async def add_attempt(
    stores: StoreAccess, user_id: uuid.UUID, course_id: uuid.UUID, quiz_id: str, *, passed: bool = True
) -> uuid.UUID:
    """A submitted attempt: details in MongoDB first, then the summary row."""
    attempt_id = uuid7()
    ref = f"attempt:{attempt_id}"
    await stores.db["quiz_attempt_details"].insert_one(
        {"_id": ref, "attempt_id": str(attempt_id), "user_id": str(user_id), "quiz_id": quiz_id, "answers": []}
    )
    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(quiz_attempts).values(
                id=attempt_id,
                user_id=user_id,
                course_id=course_id,
                quiz_content_id=quiz_id,
                score=1.0 if passed else 0.0,
                max_score=1.0,
                passed=passed,
                finished_at=utcnow(),
                details_ref=ref,
            )
        )
    return attempt_id


@dataclass
class World:
    tokens: dict[str, str | None] = field(default_factory=dict)
    user_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    course_id: uuid.UUID = NO_ID
    course_content_id: str = ""
    lesson_id: str = ""
    quiz_id: str = ""
    enrollment_id: uuid.UUID = NO_ID
    attempt_id: uuid.UUID = NO_ID

    @property
    def course_gid(self) -> str:
        return to_global_id("Course", self.course_id)


async def build_world(http: httpx.AsyncClient, stores: StoreAccess) -> World:
    world = World(tokens={"anonymous": None})
    for role in ROLES[1:]:
        token, user_id = await account_with_role(http, stores, role.removeprefix("other_"))
        world.tokens[role], world.user_ids[role] = token, user_id
    # Admin mutations change this account (a role change signs it out), never a role's.
    world.user_ids["target"] = (await account_with_role(http, stores, "student"))[1]
    world.course_id, world.course_content_id, lessons = await make_course(stores, modules=1, lessons_per_module=1)
    world.lesson_id = lessons[0]
    async with stores.engine.begin() as conn:
        await conn.execute(
            update(courses).where(courses.c.id == world.course_id).values(instructor_id=world.user_ids["instructor"])
        )
    await enroll(stores, world.user_ids["student"], world.course_id)
    await complete_lesson(stores, world.user_ids["student"], world.course_id, world.lesson_id)
    from sqlalchemy import select

    from learnhub.datasources.postgres.tables import enrollments

    async with stores.engine.connect() as conn:
        world.enrollment_id = (
            await conn.execute(
                select(enrollments.c.id).where(
                    enrollments.c.user_id == world.user_ids["student"], enrollments.c.course_id == world.course_id
                )
            )
        ).scalar_one()
    world.quiz_id, _ = await add_quiz(stores, world.course_content_id)
    world.attempt_id = await add_attempt(stores, world.user_ids["student"], world.course_id, world.quiz_id)
    return world
