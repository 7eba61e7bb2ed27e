"""Uploaded files: documents, upload tickets and the payloads of the upload mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry
from graphql import GraphQLError
from sqlalchemy.engine import RowMapping

from learnhub.core.errors import StorageUnavailable
from learnhub.files import uploads
from learnhub.graphql.context import Info
from learnhub.graphql.relay.node import Node, to_global_id


@strawberry.enum
class UploadPurpose(Enum):
    LESSON_ATTACHMENT = "lesson_attachment"
    AVATAR = "avatar"
    ASSIGNMENT = "assignment"


@strawberry.enum
class DocumentStatus(Enum):
    PENDING = "pending"
    READY = "ready"
    REJECTED = "rejected"
    DELETED = "deleted"


@strawberry.enum
class FileErrorCode(Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    NOT_UPLOADED = "NOT_UPLOADED"
    UPLOAD_MISMATCH = "UPLOAD_MISMATCH"


@strawberry.type
class FileError:
    field: str | None = strawberry.field(description="The input at fault, when one is.")
    message: str
    code: FileErrorCode


@strawberry.type(description="An uploaded file. Its bytes live in object storage; `downloadUrl` opens them.")
class Document(Node):
    row: strawberry.Private[RowMapping]
    filename: str
    content_type: str
    size_bytes: int
    purpose: UploadPurpose
    status: DocumentStatus
    created_at: datetime

    @classmethod
    def from_row(cls, row: RowMapping) -> Document:
        return cls(
            row=row,
            id=to_global_id("Document", row["id"]),
            filename=row["filename"],
            content_type=row["content_type"],
            size_bytes=int(row["size_bytes"]),
            purpose=UploadPurpose(row["purpose"]),
            status=DocumentStatus(row["status"]),
            created_at=row["created_at"],
        )

    @strawberry.field(
        description="A link valid for 5 minutes (images open inline, other files download under their name); "
        "null until the upload is confirmed, and null with a STORAGE_UNAVAILABLE error while storage is down."
    )
    async def download_url(self, info: Info) -> str | None:
        if self.row["status"] != "ready":
            return None
        ctx = info.context
        if not await ctx.storage_reachable():
            ctx.report(
                GraphQLError(
                    uploads.STORAGE_DOWN,
                    path=info.path.as_list(),
                    original_error=StorageUnavailable(uploads.STORAGE_DOWN),
                )
            )
            return None
        return await uploads.download_url(ctx.stores, self.row)


@strawberry.type
class HttpHeader:
    name: str
    value: str


@strawberry.type(description="Where and how to send the file: PUT the bytes to `url` with exactly these headers.")
class UploadTicket:
    document: Document
    url: str
    method: str
    headers: list[HttpHeader]
    expires_at: datetime


@strawberry.input
class RequestUploadInput:
    purpose: UploadPurpose
    filename: str = strawberry.field(description="Shown to people and used for downloads; no / or \\\\.")
    content_type: str
    size_bytes: int
    sha256: str = strawberry.field(description="The file's SHA-256, 64 lower-case hex characters.")
    lesson_id: strawberry.ID | None = strawberry.field(
        default=None, description="The lesson, for LESSON_ATTACHMENT and ASSIGNMENT."
    )


@strawberry.type
class RequestUploadPayload:
    upload: UploadTicket | None = None
    errors: list[FileError] = strawberry.field(default_factory=list)


@strawberry.type
class DocumentPayload:
    document: Document | None = None
    errors: list[FileError] = strawberry.field(default_factory=list)


@strawberry.type
class UploadPart:
    part_number: int
    url: str


@strawberry.type(
    description="PUT part n (from 1, `partBytes` each, the last one shorter) to its URL, keep each response's "
    "ETag header, then call completeMultipartUpload."
)
class MultipartUploadTicket:
    document: Document
    part_bytes: int
    parts: list[UploadPart]
    expires_at: datetime


@strawberry.type
class MultipartUploadPayload:
    upload: MultipartUploadTicket | None = None
    errors: list[FileError] = strawberry.field(default_factory=list)


@strawberry.input
class CompletedPartInput:
    part_number: int
    etag: str
