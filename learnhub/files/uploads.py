"""Uploads: a row first, then the client's PUT straight to storage, then a confirmation that
checks what arrived.

Order and crashes: the `pending` row is committed before the URL is handed out, so every object
in the bucket has a row or was never meant to be there (the sweeper removes both kinds of
leftovers). Deleting marks the row at once and lets the worker delete the object, through the
outbox, in the same transaction: a crash between leaves a `deleted` row and an object nobody is
shown, removed on the worker's next pass.
"""

from __future__ import annotations

import base64
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from sqlalchemy import text
from sqlalchemy.engine import RowMapping

from learnhub.core.crash import crash_point
from learnhub.core.errors import StorageUnavailable
from learnhub.core.ids import uuid7
from learnhub.datasources.postgres import documents, outbox
from learnhub.datasources.postgres.tables import utcnow
from learnhub.datasources.stores import Stores
from learnhub.files import rules

logger = logging.getLogger("learnhub.files")

DELETE_OBJECT = "document.delete"
STORAGE_DOWN = "File storage is unavailable; try again shortly"
# A browser starts the PUT right away; 15 minutes covers a 2 GiB file on a slow line.
PUT_EXPIRES_SECONDS = 900
# Parts of a large file go up one after another: a day for the whole upload.
MULTIPART_EXPIRES_SECONDS = 86_400
# Download links are for opening now, not for sharing: they die quickly.
GET_EXPIRES_SECONDS = 300
STALE_AFTER = timedelta(days=1)
MISMATCH = "The uploaded file's size, type or checksum is not the one declared"


@dataclass(frozen=True)
class Refused:
    code: str  # INVALID, NOT_FOUND, FORBIDDEN, QUOTA_EXCEEDED, NOT_UPLOADED, UPLOAD_MISMATCH
    message: str
    field: str | None = None


@dataclass(frozen=True)
class Ticket:
    document: RowMapping
    url: str
    headers: dict[str, str]
    expires_at: datetime


@dataclass(frozen=True)
class NewUpload:
    purpose: str
    entity_id: str  # lesson content id, or the owner's id for an avatar
    course_id: str | None
    filename: str
    content_type: str
    size: int
    sha256: str


def object_key(document_id: uuid.UUID) -> str:
    """Derived from the id alone: nothing a user typed reaches a key."""
    return f"documents/{document_id}"


def checksum_b64(sha256_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(sha256_hex)).decode()


async def _reachable(stores: Stores) -> None:
    try:
        await stores.storage.ping()
    except Exception as exc:
        raise StorageUnavailable(STORAGE_DOWN) from exc


async def _reserve(
    stores: Stores, owner_id: uuid.UUID, new: NewUpload, *, quota_exempt: bool
) -> RowMapping | list[Refused]:
    """Validate, check the quota and commit the `pending` row (before any URL exists)."""
    problems = rules.upload_problems(new.purpose, new.filename, new.content_type, new.size, new.sha256)
    if problems:
        return [Refused("INVALID", message, field) for field, message in problems]
    await _reachable(stores)
    quota = stores.settings.storage_quota_bytes
    document_id = uuid7()
    async with stores.engine.begin() as conn:
        # One user's concurrent requests take turns, so two cannot both fit the last free bytes.
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"quota:{owner_id}"})
        if not quota_exempt and await documents.used_bytes(conn, owner_id) + new.size > quota:
            limit = f"Uploads are limited to {quota // rules.MiB} MiB per person"
            return [Refused("QUOTA_EXCEEDED", limit, "sizeBytes")]
        row = await documents.insert(
            conn,
            {
                "id": document_id,
                "owner_id": owner_id,
                "purpose": new.purpose,
                "entity_id": new.entity_id,
                "course_id": new.course_id,
                "object_key": object_key(document_id),
                "filename": new.filename,
                "content_type": new.content_type,
                "size_bytes": new.size,
                "sha256": new.sha256,
            },
        )
    crash_point(stores.settings, "request_upload.after_row")
    return row


async def request_upload(
    stores: Stores, owner_id: uuid.UUID, new: NewUpload, *, quota_exempt: bool
) -> Ticket | list[Refused]:
    if new.size > rules.MULTIPART_THRESHOLD:
        limit = rules.MULTIPART_THRESHOLD // rules.MiB
        return [Refused("INVALID", f"Files over {limit} MiB go up in parts: use requestMultipartUpload", "sizeBytes")]
    row = await _reserve(stores, owner_id, new, quota_exempt=quota_exempt)
    if isinstance(row, list):
        return row
    checksum = checksum_b64(new.sha256)
    url = await stores.storage.presign_put(
        row["object_key"],
        content_type=new.content_type,
        sha256_b64=checksum,
        size=new.size,
        expires=PUT_EXPIRES_SECONDS,
    )
    headers = {"Content-Type": new.content_type, "x-amz-checksum-sha256": checksum}
    return Ticket(row, url, headers, utcnow() + timedelta(seconds=PUT_EXPIRES_SECONDS))


@dataclass(frozen=True)
class MultipartTicket:
    document: RowMapping
    part_bytes: int
    part_urls: list[str]  # part n (from 1) goes to part_urls[n - 1]
    expires_at: datetime


async def request_multipart_upload(
    stores: Stores, owner_id: uuid.UUID, new: NewUpload, *, quota_exempt: bool
) -> MultipartTicket | list[Refused]:
    """A large file in parts of `part_bytes` (the last one shorter), each PUT to its own URL;
    then `complete_multipart_upload` with each part's ETag."""
    if new.size <= rules.MULTIPART_THRESHOLD:
        limit = rules.MULTIPART_THRESHOLD // rules.MiB
        return [Refused("INVALID", f"Send files up to {limit} MiB with requestUpload", "sizeBytes")]
    reserved = await _reserve(stores, owner_id, new, quota_exempt=quota_exempt)
    if isinstance(reserved, list):
        return reserved
    row = reserved
    try:
        upload_id = await stores.storage.start_multipart(row["object_key"], content_type=new.content_type)
    except Exception as exc:
        raise StorageUnavailable(STORAGE_DOWN) from exc
    async with stores.engine.begin() as conn:
        row = await documents.set_multipart(conn, row["id"], upload_id)
    count = -(-new.size // rules.PART_BYTES)
    urls = [
        await stores.storage.presign_part(row["object_key"], upload_id, n, expires=MULTIPART_EXPIRES_SECONDS)
        for n in range(1, count + 1)
    ]
    return MultipartTicket(row, rules.PART_BYTES, urls, utcnow() + timedelta(seconds=MULTIPART_EXPIRES_SECONDS))


async def complete_multipart_upload(
    stores: Stores, user_id: uuid.UUID, document_id: uuid.UUID, parts: list[tuple[int, str]]
) -> RowMapping | list[Refused]:
    """Join the parts, then check the object like any upload. Storage keeps a checksum of the
    parts' checksums for a multipart object, not the file's SHA-256, so here the size and type
    are what is checked; the declared SHA-256 is kept for clients to verify downloads."""
    row = await documents.by_id(stores.engine, document_id)
    if row is None or row["owner_id"] != user_id or row["multipart_upload_id"] is None or row["status"] == "deleted":
        return [Refused("NOT_FOUND", "No such multipart upload", "documentId")]
    if row["status"] == "pending":
        if not parts or [n for n, _ in parts] != list(range(1, len(parts) + 1)):
            return [Refused("INVALID", "List every part once, numbered from 1 in order", "parts")]
        try:
            await stores.storage.complete_multipart(row["object_key"], row["multipart_upload_id"], parts)
        except Exception as exc:
            if isinstance(exc, ClientError):
                return [Refused("NOT_UPLOADED", f"Storage refused the parts: {exc}", "parts")]
            raise StorageUnavailable(STORAGE_DOWN) from exc
    return await confirm_upload(stores, user_id, document_id, checksum=False)


def _matches(head: dict[str, Any], row: RowMapping, *, checksum: bool = True) -> bool:
    return (
        int(head.get("ContentLength", -1)) == row["size_bytes"]
        and str(head.get("ContentType", "")).split(";")[0].strip().lower() == row["content_type"]
        and (not checksum or head.get("ChecksumSHA256") == checksum_b64(row["sha256"]))
    )


async def confirm_upload(
    stores: Stores, user_id: uuid.UUID, document_id: uuid.UUID, *, checksum: bool = True
) -> RowMapping | list[Refused]:
    """Check the object against what was declared: `ready` (and attached), or `rejected` with
    the object deleted. Confirming a ready document again returns it unchanged."""
    row = await documents.by_id(stores.engine, document_id)
    if row is None or row["owner_id"] != user_id or row["status"] == "deleted":
        return [Refused("NOT_FOUND", "No such upload", "documentId")]
    if row["status"] == "ready":
        return row
    if row["status"] == "rejected":
        return [
            Refused("UPLOAD_MISMATCH", "This upload did not match what was declared; request a new one", "documentId")
        ]
    await _reachable(stores)
    head = await stores.storage.head(row["object_key"])
    if head is None:
        return [Refused("NOT_UPLOADED", "Nothing was uploaded yet; PUT the file to the upload URL first", "documentId")]
    async with stores.engine.begin() as conn:
        if not _matches(head, row, checksum=checksum):
            await documents.set_status(conn, document_id, "rejected", only_from=["pending"])
            await outbox.add_event(conn, DELETE_OBJECT, user_id, {"object_key": row["object_key"]})
            return [
                Refused(
                    "UPLOAD_MISMATCH",
                    "The uploaded file's size, type or checksum is not the one declared",
                    "documentId",
                )
            ]
        ready = await documents.set_status(conn, document_id, "ready", only_from=["pending"])
        if ready is None:  # confirmed by a concurrent call: the same answer
            current = await documents.by_id(stores.engine, document_id)
            assert current is not None
            return current
        if ready["purpose"] == "avatar":  # one avatar: the one before goes
            for old in await documents.ready_avatars_except(conn, user_id, document_id):
                await documents.set_status(conn, old["id"], "deleted", only_from=["ready"])
                await outbox.add_event(conn, DELETE_OBJECT, user_id, {"object_key": old["object_key"]})
    return ready


async def delete_document(stores: Stores, row: RowMapping, by: uuid.UUID | None) -> RowMapping:
    """Hide the document at once; the worker deletes the object (outbox, same transaction)."""
    async with stores.engine.begin() as conn:
        gone = await documents.set_status(conn, row["id"], "deleted", only_from=["pending", "ready", "rejected"])
        if gone is not None:
            payload = {"object_key": row["object_key"]}
            if row["status"] == "pending" and row["multipart_upload_id"]:  # an abandoned multipart upload
                payload["upload_id"] = row["multipart_upload_id"]
            await outbox.add_event(conn, DELETE_OBJECT, by, payload)
    crash_point(stores.settings, "delete_document.after_row")
    return gone if gone is not None else row


async def download_url(stores: Stores, row: RowMapping) -> str:
    disposition = rules.content_disposition(row["filename"], row["content_type"])
    return await stores.storage.presign_get(
        row["object_key"], disposition=disposition, content_type=row["content_type"], expires=GET_EXPIRES_SECONDS
    )


async def delete_object(stores: Stores, payload: dict[str, Any]) -> None:
    """The worker's handler of DELETE_OBJECT: idempotent (deleting a missing object, or
    aborting an upload already gone, succeeds)."""
    if payload.get("upload_id"):
        await stores.storage.abort_multipart(str(payload["object_key"]), str(payload["upload_id"]))
    await stores.storage.delete(str(payload["object_key"]))


@dataclass(frozen=True)
class Swept:
    stale_uploads: int
    orphan_objects: int


async def sweep(stores: Stores, *, now: datetime | None = None) -> Swept:
    """Remove uploads never confirmed within a day (row rejected, object deleted) and objects
    that no live row points at (left by a crash, or by a client that uploaded after its row was
    swept)."""
    now = now or utcnow()
    stale = await documents.stale_pending(stores.engine, now - STALE_AFTER, limit=1000)
    for row in stale:  # an abandoned multipart upload's parts go with it
        if row["multipart_upload_id"]:
            await stores.storage.abort_multipart(row["object_key"], row["multipart_upload_id"])
    async with stores.engine.begin() as conn:
        for row in stale:
            if await documents.set_status(conn, row["id"], "rejected", only_from=["pending"]) is not None:
                await outbox.add_event(conn, DELETE_OBJECT, None, {"object_key": row["object_key"]})
    keys = await stores.storage.keys("documents/")
    known = await documents.known_keys(stores.engine, keys)
    # Keys of rows requested a moment ago are known (pending rows count), so no race with uploads.
    orphans = [key for key in keys if key not in known]
    for key in orphans:
        await stores.storage.delete(key)
    return Swept(len(stale), len(orphans))
