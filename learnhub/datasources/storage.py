"""Uploaded file bodies in S3-compatible object storage (Cloudflare R2 in production)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import aioboto3
from botocore.config import Config
from botocore.exceptions import ClientError

from learnhub.core.settings import Settings
from learnhub.observability import stores as store_calls


class Storage:
    """One S3 client for the process, opened in the lifespan."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bucket = settings.s3_bucket
        self._stack = AsyncExitStack()
        self.client: Any = None

    async def open(self) -> None:
        session = aioboto3.Session()
        timeout = self.settings.store_connect_timeout_seconds
        self.client = await self._stack.enter_async_context(
            session.client(
                "s3",
                endpoint_url=self.settings.s3_endpoint_url,
                aws_access_key_id=self.settings.s3_access_key_id,
                aws_secret_access_key=self.settings.s3_secret_access_key.get_secret_value(),
                region_name=self.settings.s3_region,
                config=Config(
                    connect_timeout=timeout,
                    read_timeout=timeout * 2,
                    retries={"max_attempts": 2},
                    s3={"addressing_style": "path"},
                    # SigV4 everywhere: R2 accepts nothing else, and SigV2 presigned GETs with a
                    # response-content-type were refused by the local server.
                    signature_version="s3v4",
                ),
            )
        )
        store_calls.watch_s3(self.client.meta.events)

    async def close(self) -> None:
        await self._stack.aclose()
        self.client = None

    async def ping(self) -> None:
        """Reach the server and the bucket (raises when either is missing)."""
        await self.client.head_bucket(Bucket=self.bucket)

    async def ensure_bucket(self) -> None:
        try:
            await self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            await self.client.create_bucket(Bucket=self.bucket)

    # Uploads and downloads: presigned URLs, so bytes go straight between client and storage.

    async def presign_put(self, key: str, *, content_type: str, sha256_b64: str, size: int, expires: int) -> str:
        """A PUT URL whose signature binds the content type and the SHA-256 checksum: the server
        refuses another type (403) and a body with another checksum (400)."""
        url: str = await self.client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ContentType": content_type,
                "ContentLength": size,
                "ChecksumSHA256": sha256_b64,
            },
            ExpiresIn=expires,
        )
        return url

    async def presign_get(self, key: str, *, disposition: str, content_type: str, expires: int) -> str:
        url: str = await self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            ExpiresIn=expires,
        )
        return url

    async def head(self, key: str) -> dict[str, Any] | None:
        """The object's size, type and SHA-256 checksum; None when there is no such object."""
        try:
            head: dict[str, Any] = await self.client.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return head

    async def delete(self, key: str) -> None:
        """Delete an object; deleting one that is gone already is no error (S3 answers 204)."""
        await self.client.delete_object(Bucket=self.bucket, Key=key)

    async def keys(self, prefix: str) -> list[str]:
        """Every object key under `prefix` (the sweeper compares them with the documents table)."""
        found: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            found.extend(item["Key"] for item in page.get("Contents", []))
        return found

    # Multipart: large files in parts, each PUT to its own presigned URL.

    async def start_multipart(self, key: str, *, content_type: str) -> str:
        created = await self.client.create_multipart_upload(Bucket=self.bucket, Key=key, ContentType=content_type)
        return str(created["UploadId"])

    async def presign_part(self, key: str, upload_id: str, part_number: int, *, expires: int) -> str:
        url: str = await self.client.generate_presigned_url(
            "upload_part",
            Params={"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": part_number},
            ExpiresIn=expires,
        )
        return url

    async def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        await self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in parts]},
        )

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop an unfinished upload and its parts; one already gone is no error."""
        try:
            await self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
                raise
