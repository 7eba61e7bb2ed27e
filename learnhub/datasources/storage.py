"""Uploaded file bodies in S3-compatible object storage (Cloudflare R2 in production)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import aioboto3
from botocore.config import Config
from botocore.exceptions import ClientError

from learnhub.core.settings import Settings


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
                ),
            )
        )

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
