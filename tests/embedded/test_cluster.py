"""The embedded servers: a clear error when one cannot start, and nothing left running."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from learnhub.embedded import EmbeddedServerError
from learnhub.embedded.base import free_port
from learnhub.embedded.redis import EmbeddedRedis


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_server_that_cannot_start_names_itself_its_command_and_its_log(tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", port))
        blocker.listen()
        server = EmbeddedRedis(tmp_path / "redis", tmp_path / "logs", port)
        server.spawn()
        with pytest.raises(EmbeddedServerError) as failure:
            server.wait_ready(10)
        server.stop()

    message = str(failure.value)
    assert message.startswith("Redis failed to start: ")
    assert f"--port {port}" in message
    assert str(tmp_path / "logs" / "redis.log") in message
    assert "Address already in use" in message  # the log's tail is quoted


def test_stopping_the_cluster_leaves_no_process(tmp_path: Path) -> None:
    from learnhub.embedded import running_cluster

    with running_cluster(tmp_path, durable=False) as cluster:
        pids = cluster.pids()
        assert len(pids) == 6
        assert all(_alive(pid) for pid in pids)
    assert not [pid for pid in pids if _alive(pid)]
    assert os.listdir(tmp_path / "logs")
