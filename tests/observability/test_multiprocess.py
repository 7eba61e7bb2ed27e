"""`learnhub serve --workers 2`: both worker processes count, and one scrape sums them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from learnhub.embedded import EmbeddedCluster
from learnhub.embedded.base import free_port
from tests.observability.test_metrics import value

# The checkout under test, whichever copy of the package the interpreter has installed.
ROOT = Path(__file__).resolve().parents[2]
QUERY = "query TwoWorkers { __typename }"
START_SECONDS = 60
SPREAD_SECONDS = 60


@pytest.fixture
def two_workers(cluster: EmbeddedCluster, seeded: Any, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        **os.environ,
        **cluster.env(),
        "ENVIRONMENT": "test",
        "PORT": str(port),
        "RATE_LIMIT_ENABLED": "false",
        "PUBLIC_CACHE_ENABLED": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        # Production's logs: JSON lines, with the request log written by both workers to one stderr.
        "LOG_FORMAT": "json",
        "REQUEST_LOG": "true",
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "learnhub", "serve", "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:  # a condition with a deadline: the port answers
            assert proc.poll() is None, f"learnhub serve exited: {log.read_text()[-2000:]}"
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "learnhub serve did not start"
            time.sleep(0.1)
        yield url, metrics_dir, log
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _requests_by_worker(metrics_dir: Path, scratch: Path) -> dict[int, float]:
    """Each worker's own count of TwoWorkers requests, read from its file alone."""
    counts: dict[int, float] = {}
    for path in metrics_dir.glob("counter_*.db"):
        pid = int(re.fullmatch(r"counter_(\d+)\.db", path.name)[1])  # type: ignore[index]
        alone = scratch / str(pid)
        alone.mkdir(parents=True)
        shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts[pid] = (
            registry.get_sample_value("learnhub_requests_total", {"operation": "TwoWorkers", "outcome": "ok"}) or 0.0
        )
    return counts


def _request_lines(log: Path) -> list[dict[str, Any]]:
    """The request log's lines so far; every line of the shared stderr must be whole JSON."""
    lines = [line for line in log.read_text().splitlines() if '"logger":"learnhub.request"' in line]
    return [json.loads(line) for line in lines]


def test_one_scrape_sums_both_workers(two_workers: tuple[str, Path, Path], tmp_path: Path) -> None:
    url, metrics_dir, log = two_workers
    sent = 0
    deadline = time.monotonic() + SPREAD_SECONDS
    # Fresh connections until the kernel has handed some to each worker.
    while True:
        for _ in range(10):
            with httpx.Client(base_url=url, timeout=30) as http:
                answer = http.post("/graphql", json={"query": QUERY})
            assert answer.json()["data"] == {"__typename": "Query"}
            sent += 1
        by_worker = _requests_by_worker(metrics_dir, tmp_path / f"scratch-{sent}")
        if len([count for count in by_worker.values() if count]) >= 2:
            break
        assert time.monotonic() < deadline, f"one worker answered everything: {by_worker}"

    assert sum(by_worker.values()) == sent
    scraped = httpx.get(f"{url}/metrics", timeout=30).text
    assert value(scraped, "learnhub_requests_total", operation="TwoWorkers", outcome="ok") == sent

    # Each worker wrote a request line per request, whole, to the stderr they share; a line is
    # written as its answer is sent, so the file is read until the count is reached.
    deadline = time.monotonic() + SPREAD_SECONDS
    while len(mine := [line for line in _request_lines(log) if line["operation"] == "TwoWorkers"]) < sent:
        assert time.monotonic() < deadline, f"{len(mine)} request lines for {sent} requests"
        time.sleep(0.05)
    assert len(mine) == sent
    assert {(line["status"], line["outcome"], line["operation_type"]) for line in mine} == {(200, "ok", "query")}
