"""The embedded servers: a clear error when one cannot start, and nothing left running."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import httpx
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


def test_a_server_whose_chosen_port_was_taken_starts_on_another(tmp_path: Path) -> None:
    from learnhub.embedded import EmbeddedCluster, Ports

    ports = Ports.free()
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as blocker:
        # Taken after it was chosen, as another program could between the choice and the bind.
        blocker.bind(("::", ports.stripe))
        blocker.listen()
        cluster = EmbeddedCluster(tmp_path, ports, durable=False, movable_ports=True)
        cluster.start()
        try:
            stripe_url = cluster.env()["STRIPE_API_URL"]
            assert stripe_url != f"http://127.0.0.1:{ports.stripe}"
            answer = httpx.get(f"{stripe_url}/v1/customers?limit=1", auth=("sk_test_x", ""), timeout=5)
            assert answer.status_code == 200
            # The others keep the ports chosen for them.
            assert cluster.env()["REDIS_URL"] == f"redis://127.0.0.1:{ports.redis}/0"
        finally:
            cluster.stop()


def test_ports_a_user_gave_are_not_moved(tmp_path: Path) -> None:
    from learnhub.embedded import EmbeddedCluster, Ports

    ports = Ports.free()
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as blocker:
        blocker.bind(("::", ports.stripe))
        blocker.listen()
        cluster = EmbeddedCluster(tmp_path, ports, durable=False)
        with pytest.raises(EmbeddedServerError, match="Stripe failed to start"):
            cluster.start()
    assert not [pid for pid in cluster.pids() if _alive(pid)]
