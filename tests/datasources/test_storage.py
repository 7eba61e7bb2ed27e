"""Object storage: presigned uploads and downloads on the real S3 server, made as a browser makes them.

Each presigned URL comes from a plain boto3 client built from the same settings as the gateway's
`Storage`; the upload itself is a bare HTTP PUT with only the headers a browser would send.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import boto3
import httpx
import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from learnhub.core.settings import Settings
from learnhub.datasources.storage import Storage
from learnhub.migrations.migrate import prepare_other_stores

BODY = b"%PDF-1.7\n" + b"lesson notes " * 300
PDF = "application/pdf"


def checksum(body: bytes) -> str:
    """The base64 SHA-256 that S3 expects in x-amz-checksum-sha256."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def new_key() -> str:
    return f"tests/storage/{uuid.uuid4().hex}.pdf"


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    opened = Storage(settings)
    await opened.open()
    yield opened
    await opened.close()


@dataclass
class Presigner:
    """A plain boto3 client with the gateway's settings, for presigned URLs."""

    client: Any
    bucket: str

    def put(self, key: str, *, content_type: str = PDF, body: bytes = BODY, **params: Any) -> str:
        """A PUT URL that binds the content type and the body's SHA-256, as the gateway hands out."""
        url: str = self.client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ContentType": content_type,
                "ChecksumSHA256": checksum(body),
                **params,
            },
            ExpiresIn=300,
        )
        return url

    def get(self, key: str) -> str:
        url: str = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=300
        )
        return url


@pytest.fixture(scope="module")
def presigner(settings: Settings) -> Iterator[Presigner]:
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key.get_secret_value(),
        region_name=settings.s3_region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    yield Presigner(client, settings.s3_bucket)
    client.close()


class ClockSetBack(S3SigV4QueryAuth):
    """botocore's presigned-URL signer with its clock at `signed_at`.

    `add_auth` reads the clock, then calls this hook before it builds the string to sign, so the
    URL carries and signs the earlier X-Amz-Date: a URL as it was handed out `signed_at`.
    """

    def __init__(self, settings: Settings, *, signed_at: datetime.datetime, expires: int) -> None:
        credentials = Credentials(settings.s3_access_key_id, settings.s3_secret_access_key.get_secret_value())
        super().__init__(credentials, "s3", settings.s3_region, expires=expires)
        self.timestamp = signed_at.strftime("%Y%m%dT%H%M%SZ")

    def _modify_request_before_signing(self, request: AWSRequest) -> None:
        request.context["timestamp"] = self.timestamp
        super()._modify_request_before_signing(request)


def presign_put_signed_at(
    settings: Settings, key: str, *, signed_at: datetime.datetime, expires: int, body: bytes = BODY
) -> str:
    request = AWSRequest(
        method="PUT",
        url=f"{settings.s3_endpoint_url}/{settings.s3_bucket}/{quote(key)}",
        headers={"Content-Type": PDF, "x-amz-checksum-sha256": checksum(body)},
    )
    signer = ClockSetBack(settings, signed_at=signed_at, expires=expires)
    signer.add_auth(request)
    assert parse_qs(urlsplit(request.url).query)["X-Amz-Date"] == [signer.timestamp]
    return str(request.url)


async def browser_put(
    url: str, body: bytes = BODY, *, content_type: str = PDF, sha256: str | None = None
) -> httpx.Response:
    """What the web client sends: the body, its type and the checksum it computed."""
    headers = {"Content-Type": content_type, "x-amz-checksum-sha256": sha256 or checksum(body)}
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.put(url, content=body, headers=headers)


async def stored(storage: Storage, key: str) -> dict[str, Any] | None:
    try:
        head: dict[str, Any] = await storage.client.head_object(Bucket=storage.bucket, Key=key, ChecksumMode="ENABLED")
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return head


def error_code(response: httpx.Response) -> str:
    return response.text.split("<Code>", 1)[1].split("</Code>", 1)[0]


# The bucket: `learnhub migrate` creates it, and a missing one is an error, as on R2.


async def test_migrate_creates_the_bucket_once_and_the_health_check_needs_it(settings: Settings) -> None:
    other = settings.model_copy(update={"s3_bucket": f"learnhub-test-{uuid.uuid4().hex[:12]}"})
    storage = Storage(other)
    await storage.open()
    try:
        with pytest.raises(ClientError):
            await storage.ping()
        with pytest.raises(ClientError) as missing:
            await storage.client.put_object(Bucket=other.s3_bucket, Key="a.txt", Body=b"a")
        assert missing.value.response["Error"]["Code"] == "NoSuchBucket"  # not created on upload

        await prepare_other_stores(other)  # what `learnhub migrate` runs after Alembic
        await prepare_other_stores(other)  # and again: nothing to do
        await storage.ping()
        await storage.client.delete_bucket(Bucket=other.s3_bucket)
    finally:
        await storage.close()


async def test_the_session_bucket_exists_after_migrate(storage: Storage) -> None:
    await storage.ping()


# Uploads and downloads with presigned URLs.


async def test_a_browser_uploads_with_a_presigned_put_and_downloads_with_a_presigned_get(
    storage: Storage, presigner: Presigner
) -> None:
    key = new_key()
    response = await browser_put(presigner.put(key))
    assert response.status_code == 200, response.text

    head = await stored(storage, key)
    assert head is not None
    assert head["ContentLength"] == len(BODY)
    assert head["ContentType"] == PDF
    assert head["ChecksumSHA256"] == checksum(BODY)

    async with httpx.AsyncClient(timeout=10) as http:
        download = await http.get(presigner.get(key))
    assert download.status_code == 200
    assert download.content == BODY
    assert download.headers["content-type"] == PDF


async def test_a_url_signed_earlier_still_works_until_it_expires(settings: Settings, storage: Storage) -> None:
    # The control for the expiry test below: the same signer and an X-Amz-Date ten minutes ago.
    key = new_key()
    signed_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    response = await browser_put(presign_put_signed_at(settings, key, signed_at=signed_at, expires=3600))
    assert response.status_code == 200, response.text
    assert await stored(storage, key) is not None


async def test_an_expired_url_is_refused(settings: Settings, storage: Storage) -> None:
    key = new_key()
    signed_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=60)
    response = await browser_put(presign_put_signed_at(settings, key, signed_at=signed_at, expires=1))
    assert response.status_code == 403
    assert error_code(response) == "AccessDenied"
    assert "expired" in response.text.lower()
    assert await stored(storage, key) is None


async def test_a_tampered_signature_is_refused(storage: Storage, presigner: Presigner) -> None:
    key = new_key()
    url = presigner.put(key)
    last = url[-1]
    response = await browser_put(url[:-1] + ("0" if last != "0" else "1"))
    assert response.status_code == 403
    assert error_code(response) == "SignatureDoesNotMatch"
    assert await stored(storage, key) is None


async def test_an_unsigned_upload_is_refused(settings: Settings, storage: Storage) -> None:
    key = new_key()
    response = await browser_put(f"{settings.s3_endpoint_url}/{settings.s3_bucket}/{key}")
    assert response.status_code == 403
    assert await stored(storage, key) is None


async def test_another_content_type_than_signed_is_refused(storage: Storage, presigner: Presigner) -> None:
    key = new_key()
    response = await browser_put(presigner.put(key, content_type=PDF), content_type="text/html")
    assert response.status_code == 403
    assert error_code(response) == "SignatureDoesNotMatch"
    assert await stored(storage, key) is None


async def test_another_size_than_signed_is_refused(storage: Storage, presigner: Presigner) -> None:
    key = new_key()
    longer = BODY + b"x"
    response = await browser_put(presigner.put(key, ContentLength=len(BODY)), longer, sha256=checksum(BODY))
    assert response.status_code == 403
    assert await stored(storage, key) is None


async def test_a_body_that_does_not_match_the_signed_checksum_is_refused(
    storage: Storage, presigner: Presigner
) -> None:
    key = new_key()
    forged = b"%PDF-1.7\n" + b"something else" * 300
    # The client sends the signed checksum (any other value breaks the signature) with other bytes.
    response = await browser_put(presigner.put(key, body=BODY), forged, sha256=checksum(BODY))
    assert response.status_code == 400
    assert error_code(response) == "BadDigest"
    assert await stored(storage, key) is None


async def test_a_refused_upload_leaves_the_stored_object_as_it_was(storage: Storage, presigner: Presigner) -> None:
    key = new_key()
    assert (await browser_put(presigner.put(key))).status_code == 200
    forged = BODY.replace(b"lesson", b"LESSON")
    response = await browser_put(presigner.put(key, body=BODY), forged, sha256=checksum(BODY))
    assert response.status_code == 400
    head = await stored(storage, key)
    assert head is not None
    assert head["ChecksumSHA256"] == checksum(BODY)
    body = await storage.client.get_object(Bucket=storage.bucket, Key=key)
    async with body["Body"] as stream:
        assert await stream.read() == BODY
