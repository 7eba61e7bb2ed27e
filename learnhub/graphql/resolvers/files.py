"""Uploads: ask for an upload URL, confirm what arrived, delete."""

from __future__ import annotations

from typing import Annotated

import strawberry

from learnhub.datasources.postgres import documents
from learnhub.files import uploads
from learnhub.graphql.context import Info
from learnhub.graphql.execution.policy import owns_course_content
from learnhub.graphql.relay.node import expect_content_id, expect_uuid
from learnhub.graphql.types.files import (
    CompletedPartInput,
    Document,
    DocumentPayload,
    FileError,
    FileErrorCode,
    HttpHeader,
    MultipartUploadPayload,
    MultipartUploadTicket,
    RequestUploadInput,
    RequestUploadPayload,
    UploadPart,
    UploadPurpose,
    UploadTicket,
)


def _errors(refused: list[uploads.Refused]) -> list[FileError]:
    return [FileError(field=r.field, message=r.message, code=FileErrorCode(r.code)) for r in refused]


def _error(code: str, message: str, field: str) -> list[FileError]:
    return _errors([uploads.Refused(code, message, field)])


async def _target(info: Info, data: RequestUploadInput) -> tuple[str, str | None] | list[FileError]:
    """(entity id, course content id) the file will belong to, if the viewer may attach it there."""
    ctx = info.context
    user_id = ctx.require_user()
    if data.purpose == UploadPurpose.AVATAR:
        return str(user_id), None
    if data.lesson_id is None:
        return _error("INVALID", "Name the lesson", "lessonId")
    lesson = await ctx.loaders.lesson_by_id.load(expect_content_id(data.lesson_id, "Lesson", "lesson"))
    if lesson is None:  # unknown or not visible to the viewer: alike
        return _error("NOT_FOUND", "No such lesson", "lessonId")
    course_id = str(lesson["course_id"])
    if data.purpose == UploadPurpose.LESSON_ATTACHMENT:
        if not await owns_course_content(ctx, course_id):
            return _error("FORBIDDEN", "Only the course's instructor attaches files to its lessons", "lessonId")
    else:
        course = await ctx.loaders.course_by_content_id.load(course_id)
        enrollment = (
            await ctx.loaders.enrollment_by_user_course.load((user_id, course["id"])) if course is not None else None
        )
        if enrollment is None or enrollment["status"] == "cancelled":
            return _error("FORBIDDEN", "Enroll in the course to hand in an assignment", "lessonId")
    return str(lesson["_id"]), course_id


def _new_upload(data: RequestUploadInput, entity_id: str, course_id: str | None) -> uploads.NewUpload:
    return uploads.NewUpload(
        purpose=data.purpose.value,
        entity_id=entity_id,
        course_id=course_id,
        filename=data.filename,
        content_type=data.content_type.strip().lower(),
        size=data.size_bytes,
        sha256=data.sha256.strip().lower(),
    )


async def request_upload(
    info: Info, data: Annotated[RequestUploadInput, strawberry.argument(name="input")]
) -> RequestUploadPayload:
    ctx = info.context
    target = await _target(info, data)
    if isinstance(target, list):
        return RequestUploadPayload(errors=target)
    new = _new_upload(data, *target)
    outcome = await uploads.request_upload(ctx.stores, ctx.require_user(), new, quota_exempt=ctx.viewer.is_admin)
    if isinstance(outcome, list):
        return RequestUploadPayload(errors=_errors(outcome))
    headers = [HttpHeader(name=name, value=value) for name, value in outcome.headers.items()]
    ticket = UploadTicket(
        document=Document.from_row(outcome.document),
        url=outcome.url,
        method="PUT",
        headers=headers,
        expires_at=outcome.expires_at,
    )
    return RequestUploadPayload(upload=ticket)


async def request_multipart_upload(
    info: Info, data: Annotated[RequestUploadInput, strawberry.argument(name="input")]
) -> MultipartUploadPayload:
    ctx = info.context
    target = await _target(info, data)
    if isinstance(target, list):
        return MultipartUploadPayload(errors=target)
    outcome = await uploads.request_multipart_upload(
        ctx.stores, ctx.require_user(), _new_upload(data, *target), quota_exempt=ctx.viewer.is_admin
    )
    if isinstance(outcome, list):
        return MultipartUploadPayload(errors=_errors(outcome))
    parts = [UploadPart(part_number=n, url=url) for n, url in enumerate(outcome.part_urls, start=1)]
    ticket = MultipartUploadTicket(
        document=Document.from_row(outcome.document),
        part_bytes=outcome.part_bytes,
        parts=parts,
        expires_at=outcome.expires_at,
    )
    return MultipartUploadPayload(upload=ticket)


# S3 allows at most 10,000 parts.
MAX_PARTS = 10_000


async def complete_multipart_upload(
    info: Info, document_id: strawberry.ID, parts: list[CompletedPartInput]
) -> DocumentPayload:
    ctx = info.context
    user_id = ctx.require_user()
    if len(parts) > MAX_PARTS or any(len(p.etag) > 200 for p in parts):
        return DocumentPayload(errors=_error("INVALID", f"Give at most {MAX_PARTS} parts with their ETags", "parts"))
    outcome = await uploads.complete_multipart_upload(
        ctx.stores, user_id, expect_uuid(document_id, "Document"), [(p.part_number, p.etag) for p in parts]
    )
    if isinstance(outcome, list):
        return DocumentPayload(errors=_errors(outcome))
    return DocumentPayload(document=Document.from_row(outcome))


async def confirm_upload(info: Info, document_id: strawberry.ID) -> DocumentPayload:
    ctx = info.context
    user_id = ctx.require_user()
    outcome = await uploads.confirm_upload(ctx.stores, user_id, expect_uuid(document_id, "Document"))
    if isinstance(outcome, list):
        return DocumentPayload(errors=_errors(outcome))
    return DocumentPayload(document=Document.from_row(outcome))


async def delete_document(info: Info, id: strawberry.ID) -> DocumentPayload:
    """The owner, an admin, or (for a lesson's attachment) the course's instructor."""
    ctx = info.context
    user_id = ctx.require_user()
    row = await documents.by_id(ctx.stores.engine, expect_uuid(id, "Document"))
    allowed = row is not None and (
        row["owner_id"] == user_id
        or ctx.viewer.is_admin
        or (row["purpose"] == "lesson_attachment" and await owns_course_content(ctx, str(row["course_id"])))
    )
    if row is None or not allowed or row["status"] == "deleted":
        return DocumentPayload(errors=_error("NOT_FOUND", "No such document", "id"))
    return DocumentPayload(document=Document.from_row(await uploads.delete_document(ctx.stores, row, user_id)))
