"""The embedded S3 server (SeaweedFS): objects kept on disk across restarts, its own settings only."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from learnhub.embedded import EmbeddedServerError
from learnhub.embedded.base import free_port
from learnhub.embedded.s3 import EmbeddedS3

BUCKET = "restart-test"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedS3]:
    """An S3 server of its own in a temporary folder (stopped however the test ends)."""
    started = EmbeddedS3(tmp_path / "s3", tmp_path / "logs", free_port())
    started.spawn()
    started.wait_ready(60)
    yield started
    started.stop()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_objects_survive_a_restart_on_the_same_data_folder(server: EmbeddedS3) -> None:
    client = server.client()
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="notes/week-1.txt", Body=b"kept on disk", ContentType="text/plain")
    client.close()
    ports = json.loads((server.data_dir / "ports.json").read_text())
    assert server.process is not None
    pid = server.process.pid
    assert pid is not None

    server.stop()
    assert not _alive(pid)
    server.port = free_port()  # even on another S3 port, as a new `learnhub dev --s3-port` would
    server.spawn()
    server.wait_ready(60)

    client = server.client()
    try:
        stored = client.get_object(Bucket=BUCKET, Key="notes/week-1.txt")
        assert stored["Body"].read() == b"kept on disk"
        assert stored["ContentType"] == "text/plain"
        assert [b["Name"] for b in client.list_buckets()["Buckets"]] == [BUCKET]
    finally:
        client.close()
    # The internal ports are kept, so the master finds its own state again instead of a new one.
    assert json.loads((server.data_dir / "ports.json").read_text()) == ports
    masters = [p.name for p in (server.data_dir / "data").glob("m[0-9]*") if p.is_dir()]
    assert masters == [f"m{ports['master.port']}"]


def test_s3_and_aws_variables_in_the_environment_do_not_reach_the_server(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # SeaweedFS would create S3_BUCKET at start and add AWS_* as a second identity.
    monkeypatch.setenv("S3_BUCKET", "leaked-bucket")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "leaked-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "leaked-secret")
    server = EmbeddedS3(tmp_path / "s3", tmp_path / "logs", free_port())
    server.spawn()
    try:
        server.wait_ready(60)
        client = server.client()
        assert client.list_buckets()["Buckets"] == []
        client.close()

        intruder = server.client("leaked-key", "leaked-secret")
        with pytest.raises(ClientError) as refused:
            intruder.list_buckets()
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        intruder.close()
    finally:
        server.stop()


def test_a_wrong_secret_is_refused(server: EmbeddedS3) -> None:
    client = server.client(secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as refused:
        client.list_buckets()
    assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    client.close()


def test_a_busy_s3_port_fails_with_the_port_named(tmp_path: Path) -> None:
    # SeaweedFS moves a busy default port elsewhere, but refuses one given on the command line.
    port = free_port()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
        server = EmbeddedS3(tmp_path / "s3", tmp_path / "logs", port)
        server.spawn()
        with pytest.raises(EmbeddedServerError) as failure:
            server.wait_ready(30)
        server.stop()
    assert f"port {port} for S3 (specified by flag s3.port) is not available" in str(failure.value)
