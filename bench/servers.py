"""The two HTTP servers under test, each a uvicorn subprocess with one worker on 127.0.0.1.

Output goes straight to a log file (uvicorn's access log would fill a pipe nobody drains), and
start-up is judged by the line uvicorn prints once the app's lifespan has opened every client.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from learnhub.embedded.base import free_port

REPO = Path(__file__).parent.parent
READY_LINE = "Application startup complete"
START_TIMEOUT_S = 90
STOP_TIMEOUT_S = 15
# How often the log is re-read while waiting for the ready line.
POLL_S = 0.05


class ServerError(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    pid: int
    log: Path


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


def _wait_ready(name: str, proc: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Until READY_LINE is in the log; fails at once if the process exits, and at the deadline."""
    deadline = time.monotonic() + timeout
    while READY_LINE not in log.read_text(errors="replace"):
        if proc.poll() is not None:
            raise ServerError(f"{name} exited with {proc.returncode} before serving:\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise ServerError(f"{name} did not start within {timeout:.0f} s:\n{_tail(log)}")
        time.sleep(POLL_S)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully: the lifespan closes the clients
    try:
        proc.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(STOP_TIMEOUT_S)


@dataclass(frozen=True)
class Spec:
    """A server to start: `python <args>` with `env`, answering on `port`."""

    name: str
    args: list[str]
    env: dict[str, str]
    port: int


@contextmanager
def serving(specs: list[Spec], logs: Path) -> Iterator[list[Server]]:
    """Start every server at once, yield when all serve; each is stopped when the block ends, however."""
    started: list[tuple[Spec, subprocess.Popen[bytes], Path]] = []
    try:
        for spec in specs:
            log = logs / f"{spec.name}.log"
            with log.open("wb") as out:
                # From the repository root, so `bench.floor` imports whether or not the package is installed.
                proc = subprocess.Popen(
                    [sys.executable, *spec.args], cwd=REPO, env=spec.env, stdout=out, stderr=subprocess.STDOUT
                )
            started.append((spec, proc, log))
        # They start side by side; waiting in turn costs no more than the slowest.
        for spec, proc, log in started:
            _wait_ready(spec.name, proc, log, START_TIMEOUT_S)
        yield [Server(spec.name, f"http://127.0.0.1:{spec.port}", proc.pid, log) for spec, proc, log in started]
    finally:
        for _, proc, _ in started:
            _stop(proc)


def gateway_env(store_env: Mapping[str, str], port: int) -> dict[str, str]:
    return {
        **os.environ,
        **store_env,
        "ENVIRONMENT": "test",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        # Load from one address and one user would trip the limits, which are not what is measured.
        "RATE_LIMIT_ENABLED": "false",
        # The outbox worker would compete for the same cores; production runs it as its own service.
        "WORKER_IN_PROCESS": "false",
        "ROUND_TRIP_STATS": "true",
        # One sign-in must outlast the whole run (the default is 15 minutes).
        "ACCESS_TOKEN_TTL_SECONDS": "3600",
    }


def gateway_spec(store_env: Mapping[str, str]) -> Spec:
    """`learnhub serve` (uvicorn, one worker)."""
    port = free_port()
    return Spec("gateway", ["-m", "learnhub", "serve", "--workers", "1"], gateway_env(store_env, port), port)


def floor_spec(store_env: Mapping[str, str]) -> Spec:
    """`uvicorn bench.floor:app`, configured like `learnhub serve`: one worker, same host, info log."""
    port = free_port()
    args = ["-m", "uvicorn", "bench.floor:app", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    args += ["--log-level", "info", "--proxy-headers", "--lifespan", "on"]
    return Spec("floor", args, {**os.environ, **store_env}, port)
