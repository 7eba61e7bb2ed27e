"""The `gql()` helper and small builders of test data (isolation by data: unique ids per test)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.core.ids import uuid7
from learnhub.datasources.postgres.tables import courses, enrollments, lesson_progress


@dataclass
class Stores:
    engine: AsyncEngine
    db: AsyncDatabase[dict[str, Any]]


async def gql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    expect_errors: bool = False,
) -> dict[str, Any]:
    """POST one operation; fail unless the response is 200 and (by default) error-free."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    if not expect_errors:
        assert "errors" not in body, body["errors"]
    return body


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
    stores: Stores, *, modules: int = 2, lessons_per_module: int = 3, with_content: bool = True
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


async def enroll(stores: Stores, user_id: uuid.UUID, course_id: uuid.UUID) -> None:
    async with stores.engine.begin() as conn:
        await conn.execute(insert(enrollments).values(id=uuid7(), user_id=user_id, course_id=course_id))


async def complete_lesson(stores: Stores, user_id: uuid.UUID, course_id: uuid.UUID, lesson_id: str) -> None:
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


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def raw_post(body: bytes, path: str = "/graphql", content_type: str = "application/json") -> bytes:
    """One HTTP/1.1 POST exactly as given, for bodies an HTTP client library would not send."""
    head = f"POST {path} HTTP/1.1\r\nHost: gateway\r\nContent-Type: {content_type}\r\n"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def exchange(port: int, requests: list[bytes]) -> list[RawResponse]:
    """Send the requests one after another on one keep-alive connection and read each answer; fails
    (IncompleteReadError) if the server closes the connection before answering them all."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        answers = []
        for request in requests:
            writer.write(request)
            await writer.drain()
            status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            fields = (line.partition(":") for line in lines)
            headers = {name.strip().lower(): value.strip() for name, _, value in fields}
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            answers.append(RawResponse(int(status_line.split()[1]), headers, body))
        return answers
    finally:
        writer.close()


class LogRecords(logging.Handler):
    """The records of the loggers it is attached to; the live gateway logs from its own thread."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured_logs(*names: str, level: int) -> Iterator[LogRecords]:
    """What these loggers log at `level` and above while the block runs (each is lowered to `level`
    for the while if it would drop such records)."""
    handler = LogRecords(level)
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        if logger.getEffectiveLevel() > level:
            logger.setLevel(level)
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger, was in zip(loggers, before, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(was)
