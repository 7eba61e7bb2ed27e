"""The `learnhub` command as a user runs it: `dev` start, restart and Ctrl-C; `serve` failing fast."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from learnhub.embedded.base import free_port
from learnhub.seed.catalog import COURSES
from tests.support.client import post_graphql_sync

LEARNHUB = [sys.executable, "-m", "learnhub"]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_dev(data_dir: Path, port: int, ports: list[int]) -> tuple[subprocess.Popen[str], float]:
    names = ["--pg-port", "--mongo-port", "--redis-port", "--typesense-port", "--s3-port"]
    args = [*LEARNHUB, "dev", "--data-dir", str(data_dir), "--port", str(port)]
    for name, value in zip(names, ports, strict=True):
        args += [name, str(value)]
    began = time.monotonic()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:  # blocks on the process's own output, line by line
        if "LearnHub is serving at" in line:
            return proc, time.monotonic() - began
    raise AssertionError(f"dev exited with {proc.wait()} before serving")


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C in a terminal sends
    try:
        return proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()


def test_dev_serves_demo_data_and_ctrl_c_stops_every_server(tmp_path: Path) -> None:
    port = free_port()
    ports = [free_port() for _ in range(5)]
    proc, cold = _start_dev(tmp_path / "data", port, ports)
    try:
        servers = _descendants(proc.pid)
        assert len(servers) >= 5
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            body = post_graphql_sync(client, '{ course(contentId: "course:rest-api-design") { title } }').json()
            assert body["data"]["course"]["title"] == "REST API Design"
            assert "GraphiQL" in client.get("/graphql", headers={"accept": "text/html"}).text
    finally:
        code = _stop(proc)
    assert code in (0, 130)
    assert [pid for pid in servers if _alive(pid)] == []

    # Running it again reuses the kept data (no second copy of the demo content) and is quick.
    proc, warm = _start_dev(tmp_path / "data", port, ports)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            body = post_graphql_sync(client, "{ courses(first: 100) { totalCount } }").json()
        assert body["data"]["courses"]["totalCount"] == len(COURSES)
    finally:
        _stop(proc)
    print(f"learnhub dev: cold start {cold:.1f} s, warm start {warm:.1f} s")
    assert warm < 20


def test_serve_names_every_store_it_cannot_reach(tmp_path: Path) -> None:
    dead = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "STORE_CONNECT_TIMEOUT_SECONDS": "1",
        "DATABASE_URL": f"postgresql+asyncpg://app:secret@127.0.0.1:{dead}/learnhub",
        "MONGODB_URL": f"mongodb://127.0.0.1:{dead}/",
        "REDIS_URL": f"redis://127.0.0.1:{dead}/0",
        "TYPESENSE_URL": f"http://127.0.0.1:{dead}",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{dead}",
    }
    result = subprocess.run(
        [*LEARNHUB, "serve"], check=False, env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path
    )

    assert result.returncode == 2
    for store in ("PostgreSQL", "MongoDB", "Redis", "S3", "Typesense"):
        assert f"- {store} at" in result.stderr
    assert "secret" not in result.stderr  # passwords are redacted
    assert "Traceback" not in result.stderr
