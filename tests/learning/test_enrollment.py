"""Enrolling and leaving courses: free and published only, idempotent, typed errors."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select, update

from learnhub.datasources.postgres.tables import courses, enrollments
from learnhub.graphql.relay.node import to_global_id
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, register, user_id_of

ENROLL = "mutation($c: ID!) { enroll(courseId: $c) { enrollment { id status } errors { code field } } }"
UNENROLL = "mutation($c: ID!) { unenroll(courseId: $c) { enrollment { id status } errors { code field } } }"


async def _rows(stores: StoreAccess, user_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    async with stores.engine.connect() as conn:
        result = await conn.execute(
            select(enrollments.c.course_id, enrollments.c.status).where(enrollments.c.user_id == user_id)
        )
        return [(row.course_id, row.status) for row in result]


async def test_enroll_is_idempotent_and_leaving_keeps_one_row(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await register(http)
    course_id, _, _ = await make_course(stores)
    course = to_global_id("Course", course_id)

    first = (await gql(http, ENROLL, {"c": course}, token=token))["data"]["enroll"]
    again = (await gql(http, ENROLL, {"c": course}, token=token))["data"]["enroll"]
    assert first["errors"] == again["errors"] == []
    assert first["enrollment"] == again["enrollment"]
    assert first["enrollment"]["status"] == "ACTIVE"

    left = (await gql(http, UNENROLL, {"c": course}, token=token))["data"]["unenroll"]
    assert left["enrollment"] == {"id": first["enrollment"]["id"], "status": "CANCELLED"}
    back = (await gql(http, ENROLL, {"c": course}, token=token))["data"]["enroll"]
    assert back["enrollment"] == first["enrollment"]
    assert await _rows(stores, user_id_of(token)) == [(course_id, "active")]


async def test_refusals_are_typed_and_write_nothing(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    token, _ = await register(http)
    paid, _, _ = await make_course(stores)
    hidden, _, _ = await make_course(stores)
    async with stores.engine.begin() as conn:
        await conn.execute(update(courses).where(courses.c.id == paid).values(price_cents=4900))
        await conn.execute(update(courses).where(courses.c.id == hidden).values(published=False))
    cases = {
        to_global_id("Course", paid): "PAYMENT_REQUIRED",
        # An unpublished course answers as an unknown one does, so its id cannot be probed.
        to_global_id("Course", hidden): "NOT_FOUND",
        to_global_id("Course", uuid.uuid4()): "NOT_FOUND",
    }
    for course, code in cases.items():
        payload = (await gql(http, ENROLL, {"c": course}, token=token))["data"]["enroll"]
        assert payload == {"enrollment": None, "errors": [{"code": code, "field": "courseId"}]}
    not_enrolled = (await gql(http, UNENROLL, {"c": to_global_id("Course", paid)}, token=token))["data"]["unenroll"]
    assert not_enrolled["errors"] == [{"code": "NOT_ENROLLED", "field": "courseId"}]
    assert await _rows(stores, user_id_of(token)) == []


async def test_malformed_ids_and_anonymous_callers_are_refused(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    async with stores.engine.connect() as conn:
        before = await conn.scalar(select(func.count()).select_from(enrollments))
    token, _ = await register(http)
    for course in ("nonsense", to_global_id("Lesson", uuid.uuid4())):
        body = await gql(http, ENROLL, {"c": course}, token=token, expect_errors=True)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    course_id, _, _ = await make_course(stores)
    body = await gql(http, ENROLL, {"c": to_global_id("Course", course_id)}, expect_errors=True)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with stores.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(enrollments)) == before
