"""Builders of test data, written straight to the stores (isolation by data: unique ids per test)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.tables import courses, enrollments, lesson_progress
from tests.support.client import gql


@dataclass
class StoreAccess:
    """Direct access to the stores, for arranging and checking data."""

    engine: AsyncEngine
    db: AsyncDatabase[dict[str, Any]]


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def register(http: httpx.AsyncClient, name: str = "Test Student") -> tuple[str, str]:
    """A fresh account: (access token, email)."""
    email = f"{unique('user')}@example.test"
    body = await gql(
        http,
        """
        mutation($input: RegisterInput!) { register(input: $input) { accessToken errors { code } } }
    """,
        {"input": {"email": email, "password": "correct horse battery", "displayName": name}},
    )
    payload = body["data"]["register"]
    assert payload["errors"] == []
    return payload["accessToken"], email


async def make_course(
    stores: StoreAccess, *, modules: int = 2, lessons_per_module: int = 3, with_content: bool = True
) -> tuple[uuid.UUID, str, list[str]]:
    """A published course row and (optionally) its content: (row id, content id, lesson ids)."""
    slug = unique("course")
    content_id = f"course:{slug}"
    lesson_ids = [f"lesson:{slug}-{m}-{n}" for m in range(modules) for n in range(lessons_per_module)]
    if with_content:
        await stores.db["lesson_content"].insert_many(
            [
                {
                    "_id": lid,
                    "course_id": content_id,
                    "title": f"Lesson {lid}",
                    "summary": "s",
                    "blocks": [{"kind": "markdown", "text": f"# {lid}"}],
                    "preview": False,
                    "duration_minutes": 5,
                }
                for lid in lesson_ids
            ]
        )
        await stores.db["course_content"].insert_one(
            {
                "_id": content_id,
                "title": f"Course {slug}",
                "summary": "",
                "description": "",
                "version": 1,
                "modules": [
                    {
                        "id": f"module:{slug}-{m}",
                        "title": f"Module {m}",
                        "lesson_ids": lesson_ids[m * lessons_per_module : (m + 1) * lessons_per_module],
                    }
                    for m in range(modules)
                ],
            }
        )
    row_id = uuid7()
    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(courses).values(id=row_id, content_id=content_id, level="beginner", tags=["test"], published=True)
        )
    return row_id, content_id, lesson_ids


async def enroll(stores: StoreAccess, user_id: uuid.UUID, course_id: uuid.UUID) -> None:
    async with stores.engine.begin() as conn:
        await conn.execute(insert(enrollments).values(id=uuid7(), user_id=user_id, course_id=course_id))


async def complete_lesson(stores: StoreAccess, user_id: uuid.UUID, course_id: uuid.UUID, lesson_id: str) -> None:
    from learnhub.datasources.postgres.tables import utcnow

    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(lesson_progress).values(
                id=uuid7(),
                user_id=user_id,
                course_id=course_id,
                lesson_content_id=lesson_id,
                position=1.0,
                completed_at=utcnow(),
            )
        )


def user_id_of(token: str) -> uuid.UUID:
    import jwt

    return uuid.UUID(jwt.decode(token, options={"verify_signature": False})["sub"])
