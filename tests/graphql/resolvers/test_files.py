"""Uploads end to end: the gateway signs, the client PUTs to the real S3 server, the gateway
checks what arrived; downloads, deletes, permissions, quota and storage outages."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from sqlalchemy import func, select

from learnhub.core.crash import EXIT_CODE
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.tables import documents
from learnhub.datasources.stores import Stores
from learnhub.embedded import EmbeddedCluster
from learnhub.embedded.base import free_port
from learnhub.files.uploads import object_key, sweep
from learnhub.graphql.relay.node import from_global_id
from learnhub.worker import drain
from tests.support.authoring import PUBLISH_COURSE, add_lesson, publishable_course
from tests.support.client import gql, post_graphql
from tests.support.crash import crashing_gateway
from tests.support.data import StoreAccess, enroll, unique
from tests.support.servers import GatewayFactory
from tests.support.world import account_with_role

REQUEST = """mutation($i: RequestUploadInput!) { requestUpload(input: $i) {
  upload { url method expiresAt headers { name value } document { id status filename sizeBytes } }
  errors { code field message } } }"""
CONFIRM = """mutation($d: ID!) { confirmUpload(documentId: $d) {
  document { id status downloadUrl } errors { code field } } }"""
DELETE = "mutation($d: ID!) { deleteDocument(id: $d) { document { status } errors { code } } }"
ATTACHMENTS = """query($l: ID!) { lesson(id: $l) { attachments { id filename contentType sizeBytes downloadUrl } } }"""
LESSONS = "query($c: ID!) { course(id: $c) { content { modules { lessons { contentId } } } } }"


def upload_input(body: bytes, lesson: str | None, **overrides: Any) -> dict[str, Any]:
    data = {
        "purpose": "LESSON_ATTACHMENT",
        "filename": "Week 1 slides.pdf",
        "contentType": "application/pdf",
        "sizeBytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "lessonId": lesson,
    }
    return data | overrides


async def first_lesson(http: httpx.AsyncClient, course: str, token: str) -> str:
    body = await gql(http, LESSONS, {"c": course}, token=token)
    lesson: str = body["data"]["course"]["content"]["modules"][0]["lessons"][0]["contentId"]
    return lesson


async def put(ticket: dict[str, Any], body: bytes, **header_overrides: str) -> httpx.Response:
    """What a browser does with the ticket: PUT the bytes with exactly the headers given."""
    headers = {h["name"]: h["value"] for h in ticket["headers"]} | header_overrides
    async with httpx.AsyncClient(timeout=30) as raw:
        return await raw.put(ticket["url"], content=body, headers=headers)


async def upload(http: httpx.AsyncClient, token: str, data: dict[str, Any], body: bytes) -> str:
    payload = (await gql(http, REQUEST, {"i": data}, token=token))["data"]["requestUpload"]
    assert payload["errors"] == [], payload
    ticket = payload["upload"]
    assert (await put(ticket, body)).status_code == 200
    confirmed = (await gql(http, CONFIRM, {"d": ticket["document"]["id"]}, token=token))["data"]["confirmUpload"]
    assert confirmed["errors"] == [], confirmed
    assert confirmed["document"]["status"] == "READY"
    document: str = ticket["document"]["id"]
    return document


async def rows_of(stores: StoreAccess, user_id: uuid.UUID) -> int:
    async with stores.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).where(documents.c.owner_id == user_id)) or 0)


async def test_an_attachment_goes_up_straight_to_storage_and_comes_back_byte_for_byte(
    http: httpx.AsyncClient, stores: StoreAccess
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    body = b"%PDF-1.7\n" + uuid.uuid4().bytes * 1000
    payload = (await gql(http, REQUEST, {"i": upload_input(body, lesson)}, token=instructor))["data"]["requestUpload"]
    ticket = payload["upload"]
    assert ticket["method"] == "PUT"
    assert ticket["document"]["status"] == "PENDING"
    early = (await gql(http, CONFIRM, {"d": ticket["document"]["id"]}, token=instructor))["data"]["confirmUpload"]
    assert [e["code"] for e in early["errors"]] == ["NOT_UPLOADED"]
    # Another content type than the signed one, or another body than the signed checksum: refused.
    assert (await put(ticket, body, **{"Content-Type": "image/png"})).status_code == 403
    assert (await put(ticket, body[:-1] + b"!")).status_code in (400, 403)
    stored = await put(ticket, body)
    assert stored.status_code == 200, stored.text
    for _ in range(2):  # confirming again is harmless
        confirmed = (await gql(http, CONFIRM, {"d": ticket["document"]["id"]}, token=instructor))["data"]
        assert confirmed["confirmUpload"]["document"]["status"] == "READY"
    [attachment] = (await gql(http, ATTACHMENTS, {"l": lesson}, token=instructor))["data"]["lesson"]["attachments"]
    assert (attachment["filename"], attachment["sizeBytes"]) == ("Week 1 slides.pdf", len(body))
    async with httpx.AsyncClient(timeout=30) as raw:
        download = await raw.get(attachment["downloadUrl"])
    assert download.status_code == 200
    assert download.content == body
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith('attachment; filename="Week 1 slides.pdf"')


async def test_bad_upload_requests_write_nothing(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, instructor_id = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    body = b"hello"
    cases = {
        "sizeBytes": {"sizeBytes": 2001 * 1024 * 1024},
        "contentType": {"contentType": "image/svg+xml"},
        "filename": {"filename": "../../etc/passwd"},
        "sha256": {"sha256": "not-a-checksum"},
    }
    for field, change in cases.items():
        payload = (await gql(http, REQUEST, {"i": upload_input(body, lesson, **change)}, token=instructor))["data"]
        errors = payload["requestUpload"]["errors"]
        assert [(e["code"], e["field"]) for e in errors] == [("INVALID", field)], field
    control = upload_input(body, lesson, filename="bad\u0007name.pdf")
    assert (await gql(http, REQUEST, {"i": control}, token=instructor))["data"]["requestUpload"]["errors"]
    assert await rows_of(stores, instructor_id) == 0


async def test_who_may_attach_confirm_and_read(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    other, other_id = await account_with_role(http, stores, "instructor")
    student, student_id = await account_with_role(http, stores, "student")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    body = b"slides"
    # A draft's lesson reads as unknown to others; published, they may see it but not attach to it.
    draft = (await gql(http, REQUEST, {"i": upload_input(body, lesson)}, token=other))["data"]["requestUpload"]
    assert [e["code"] for e in draft["errors"]] == ["NOT_FOUND"]
    await gql(http, PUBLISH_COURSE, {"c": course, "p": True}, token=instructor)
    for token in (other, student):
        payload = (await gql(http, REQUEST, {"i": upload_input(body, lesson)}, token=token))["data"]["requestUpload"]
        assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
    assignment = upload_input(body, lesson, purpose="ASSIGNMENT", filename="answers.txt", contentType="text/plain")
    payload = (await gql(http, REQUEST, {"i": assignment}, token=student))["data"]["requestUpload"]
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]  # not enrolled
    document = await upload(http, instructor, upload_input(body, lesson), body)
    # Someone else's upload reads as unknown.
    stolen = (await gql(http, CONFIRM, {"d": document}, token=other))["data"]["confirmUpload"]
    assert [e["code"] for e in stolen["errors"]] == ["NOT_FOUND"]
    # Attachments follow the lesson body's rule: not for outsiders, yes once enrolled.
    assert (await gql(http, ATTACHMENTS, {"l": lesson}, token=student))["data"]["lesson"]["attachments"] is None
    assert (await gql(http, ATTACHMENTS, {"l": lesson}))["data"]["lesson"]["attachments"] is None
    _, row_id = from_global_id(course)
    await enroll(stores, student_id, uuid.UUID(row_id))
    seen = (await gql(http, ATTACHMENTS, {"l": lesson}, token=student))["data"]["lesson"]["attachments"]
    assert [a["id"] for a in seen] == [document]
    handed_in = await upload(http, student, assignment, body)
    assert handed_in
    assert await rows_of(stores, other_id) == 0


async def test_a_mismatching_object_is_rejected_and_removed(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    declared = b"the declared bytes"
    payload = (await gql(http, REQUEST, {"i": upload_input(declared, lesson)}, token=instructor))["data"]
    document = payload["requestUpload"]["upload"]["document"]["id"]
    # A store that does not check checksums (or a writer with the bucket's keys) left other bytes.
    key = object_key(uuid.UUID(from_global_id(document)[1]))
    await live_stores.storage.client.put_object(
        Bucket=live_stores.storage.bucket, Key=key, Body=b"other bytes!", ContentType="application/pdf"
    )
    confirmed = (await gql(http, CONFIRM, {"d": document}, token=instructor))["data"]["confirmUpload"]
    assert [e["code"] for e in confirmed["errors"]] == ["UPLOAD_MISMATCH"]
    await drain(live_stores)
    assert await live_stores.storage.head(key) is None
    again = (await gql(http, CONFIRM, {"d": document}, token=instructor))["data"]["confirmUpload"]
    assert [e["code"] for e in again["errors"]] == ["UPLOAD_MISMATCH"]


async def test_delete_hides_at_once_and_the_worker_removes_the_object(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    body = b"to be deleted"
    document = await upload(http, instructor, upload_input(body, lesson), body)
    deleted = (await gql(http, DELETE, {"d": document}, token=instructor))["data"]["deleteDocument"]
    assert deleted["document"]["status"] == "DELETED"
    assert (await gql(http, ATTACHMENTS, {"l": lesson}, token=instructor))["data"]["lesson"]["attachments"] == []
    key = object_key(uuid.UUID(from_global_id(document)[1]))
    assert await live_stores.storage.head(key) is not None  # until the worker runs
    await drain(live_stores)
    assert await live_stores.storage.head(key) is None
    twice = (await gql(http, DELETE, {"d": document}, token=instructor))["data"]["deleteDocument"]
    assert [e["code"] for e in twice["errors"]] == ["NOT_FOUND"]


async def test_the_quota_counts_pending_and_ready_uploads(gateway_factory: GatewayFactory, stores: StoreAccess) -> None:
    server = gateway_factory(storage_quota_bytes=1000)
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        student, _ = await account_with_role(http, stores, "student")
        avatar = {"purpose": "AVATAR", "filename": "me.png", "contentType": "image/png", "sha256": "0" * 64}
        first = (await gql(http, REQUEST, {"i": avatar | {"sizeBytes": 600}}, token=student))["data"]
        assert first["requestUpload"]["errors"] == []
        second = (await gql(http, REQUEST, {"i": avatar | {"sizeBytes": 600}}, token=student))["data"]
        assert [e["code"] for e in second["requestUpload"]["errors"]] == ["QUOTA_EXCEEDED"]


async def test_an_avatar_replaces_the_one_before(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    student, _ = await account_with_role(http, stores, "student")
    avatars = []
    for body in (b"\x89PNG first", b"\x89PNG second"):
        data = {"purpose": "AVATAR", "filename": "me.png", "contentType": "image/png", "sizeBytes": len(body),
                "sha256": hashlib.sha256(body).hexdigest()}  # fmt: skip
        avatars.append(await upload(http, student, data, body))
        url = (await gql(http, "{ me { avatarUrl } }", token=student))["data"]["me"]["avatarUrl"]
        async with httpx.AsyncClient(timeout=30) as raw:
            shown = await raw.get(url)
        assert shown.content == body
        assert shown.headers["content-disposition"].startswith("inline")


async def test_without_storage_uploads_wait_and_reads_still_answer(
    http: httpx.AsyncClient, gateway_factory: GatewayFactory, stores: StoreAccess
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    body = b"kept"
    await upload(http, instructor, upload_input(body, lesson), body)
    server = gateway_factory(s3_endpoint_url=f"http://127.0.0.1:{free_port()}")
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as down:
        refused = (await post_graphql(down, REQUEST, {"i": upload_input(body, lesson)}, token=instructor)).json()
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["STORAGE_UNAVAILABLE"]
        read = (await post_graphql(down, ATTACHMENTS, {"l": lesson}, token=instructor)).json()
        [attachment] = read["data"]["lesson"]["attachments"]
        assert (attachment["filename"], attachment["downloadUrl"]) == ("Week 1 slides.pdf", None)
        assert [e["extensions"]["code"] for e in read["errors"]] == ["STORAGE_UNAVAILABLE"]
        ready = (await down.get("/readyz")).json()
        assert ready["status"] == "ready"
        assert any("S3" in problem for problem in ready["degraded"])


async def test_attachments_of_a_whole_course_cost_one_query(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    query = """query($c: ID!) { course(id: $c) { content { modules { lessons { attachments { filename } } } } } }"""
    instructor, _ = await account_with_role(http, stores, "instructor")
    trips = []
    for lessons in (1, 4):
        course, version = await publishable_course(http, instructor)
        for _ in range(lessons - 1):
            added = await add_lesson(http, instructor, course, version, unique("lesson"))
            version = added["contentVersion"]
        for lesson in [await first_lesson(http, course, instructor)]:
            await upload(http, instructor, upload_input(b"x", lesson), b"x")
        body = (await post_graphql(http, query, {"c": course}, token=instructor)).json()
        assert len(body["data"]["course"]["content"]["modules"][0]["lessons"]) == lessons
        trips.append(body["extensions"]["roundTrips"])
    assert trips[0] == trips[1]


async def test_the_sweeper_removes_stale_uploads_and_unreferenced_objects(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    body = b"uploaded, never confirmed"
    payload = (await gql(http, REQUEST, {"i": upload_input(body, lesson)}, token=instructor))["data"]
    ticket = payload["requestUpload"]["upload"]
    assert (await put(ticket, body)).status_code == 200
    document_id = uuid.UUID(from_global_id(ticket["document"]["id"])[1])
    stale_key = object_key(document_id)
    orphan_key = object_key(uuid.uuid4())  # a crash after the object, before any row
    await live_stores.storage.client.put_object(Bucket=live_stores.storage.bucket, Key=orphan_key, Body=b"orphan")
    fresh = await sweep(live_stores)
    assert fresh.orphan_objects >= 1
    assert await live_stores.storage.head(orphan_key) is None
    assert await live_stores.storage.head(stale_key) is not None  # pending, and younger than a day
    later = await sweep(live_stores, now=datetime.now(UTC) + timedelta(days=2))
    assert later.stale_uploads >= 1
    await drain(live_stores)
    assert await live_stores.storage.head(stale_key) is None
    confirmed = (await gql(http, CONFIRM, {"d": ticket["document"]["id"]}, token=instructor))["data"]["confirmUpload"]
    assert [e["code"] for e in confirmed["errors"]] == ["UPLOAD_MISMATCH"]


MULTIPART = """mutation($i: RequestUploadInput!) { requestMultipartUpload(input: $i) {
  upload { partBytes parts { partNumber url } document { id status } } errors { code field } } }"""
COMPLETE = """mutation($d: ID!, $p: [CompletedPartInput!]!) { completeMultipartUpload(documentId: $d, parts: $p) {
  document { status sizeBytes downloadUrl } errors { code field } } }"""


async def test_a_large_file_goes_up_in_parts(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    body = uuid.uuid4().bytes * (101 * 1024 * 1024 // 16 + 3)  # just over 101 MiB
    data = upload_input(body, lesson, filename="lecture.mp4", contentType="video/mp4")
    single = (await gql(http, REQUEST, {"i": data}, token=instructor))["data"]["requestUpload"]
    assert [(e["code"], e["field"]) for e in single["errors"]] == [("INVALID", "sizeBytes")]
    ticket = (await gql(http, MULTIPART, {"i": data}, token=instructor))["data"]["requestMultipartUpload"]["upload"]
    size = ticket["partBytes"]
    assert len(ticket["parts"]) == -(-len(body) // size)
    etags = []
    async with httpx.AsyncClient(timeout=60) as raw:
        for part in ticket["parts"]:
            start = (part["partNumber"] - 1) * size
            sent = await raw.put(part["url"], content=body[start : start + size])
            assert sent.status_code == 200
            etags.append({"partNumber": part["partNumber"], "etag": sent.headers["etag"]})
        shuffled = await gql(http, COMPLETE, {"d": ticket["document"]["id"], "p": etags[::-1]}, token=instructor)
        assert [e["code"] for e in shuffled["data"]["completeMultipartUpload"]["errors"]] == ["INVALID"]
        done = (await gql(http, COMPLETE, {"d": ticket["document"]["id"], "p": etags}, token=instructor))["data"]
        document = done["completeMultipartUpload"]["document"]
        assert (document["status"], document["sizeBytes"]) == ("READY", len(body))
        fetched = await raw.get(document["downloadUrl"])
    assert hashlib.sha256(fetched.content).hexdigest() == hashlib.sha256(body).hexdigest()


async def test_a_crash_after_the_row_or_after_a_delete_leaves_nothing_visible(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores, cluster: EmbeddedCluster, settings: Settings
) -> None:
    instructor, instructor_id = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    body = b"never sent"
    async with crashing_gateway(cluster, settings, "request_upload.after_row") as (url, proc):
        async with httpx.AsyncClient(base_url=url, timeout=30) as doomed:
            with pytest.raises(httpx.TransportError):
                await post_graphql(doomed, REQUEST, {"i": upload_input(body, lesson)}, token=instructor)
        assert await asyncio.to_thread(proc.wait, 30) == EXIT_CODE
    # A pending row without an object: not an attachment, and the sweeper's after a day.
    assert await rows_of(stores, instructor_id) == 1
    assert (await gql(http, ATTACHMENTS, {"l": lesson}, token=instructor))["data"]["lesson"]["attachments"] == []
    kept = await upload(http, instructor, upload_input(b"kept", lesson), b"kept")
    async with crashing_gateway(cluster, settings, "delete_document.after_row") as (url, proc):
        async with httpx.AsyncClient(base_url=url, timeout=30) as doomed:
            with pytest.raises(httpx.TransportError):
                await post_graphql(doomed, DELETE, {"d": kept}, token=instructor)
        assert await asyncio.to_thread(proc.wait, 30) == EXIT_CODE
    # Deleted for everyone at once; the outbox event committed with it removes the object.
    assert (await gql(http, ATTACHMENTS, {"l": lesson}, token=instructor))["data"]["lesson"]["attachments"] == []
    await drain(live_stores)
    assert await live_stores.storage.head(object_key(uuid.UUID(from_global_id(kept)[1]))) is None


async def test_an_abandoned_multipart_upload_is_aborted_with_its_parts(
    http: httpx.AsyncClient, stores: StoreAccess, live_stores: Stores
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    course, _ = await publishable_course(http, instructor)
    lesson = await first_lesson(http, course, instructor)
    size = 101 * 1024 * 1024
    data = upload_input(b"", lesson, filename="big.zip", contentType="application/zip", sizeBytes=size,
                        sha256="0" * 64)  # fmt: skip
    ticket = (await gql(http, MULTIPART, {"i": data}, token=instructor))["data"]["requestMultipartUpload"]["upload"]
    async with httpx.AsyncClient(timeout=60) as raw:
        first = ticket["parts"][0]
        assert (await raw.put(first["url"], content=b"p" * ticket["partBytes"])).status_code == 200
    document = ticket["document"]["id"]
    row_id = uuid.UUID(from_global_id(document)[1])
    async with stores.engine.connect() as conn:
        upload_id = await conn.scalar(select(documents.c.multipart_upload_id).where(documents.c.id == row_id))
    client, bucket, key = live_stores.storage.client, live_stores.storage.bucket, object_key(row_id)
    assert (await client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id))["Parts"]
    deleted = (await gql(http, DELETE, {"d": document}, token=instructor))["data"]["deleteDocument"]
    assert deleted["document"]["status"] == "DELETED"
    await drain(live_stores)
    with pytest.raises(ClientError):  # NoSuchUpload: the parts are gone
        await client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
