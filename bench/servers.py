"""The HTTP servers under test, each one process on 127.0.0.1: the gateway, the floor and the
Strawberry peer are uvicorn with one worker; the Apollo peer is one Node process.

Output goes straight to a log file (uvicorn's access log would fill a pipe nobody drains), and
start-up is judged by the line uvicorn prints once the app's lifespan has opened every client;
the Apollo peer prints the same line once its pools are open and it listens.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from learnhub.embedded.base import free_port

REPO = Path(__file__).parent.parent
APOLLO = REPO / "bench" / "peers" / "apollo"
# Apollo Server 5 and the MongoDB driver 7 need at least this Node.
NODE_MAJOR, NODE_MINOR = 20, 19
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
    """A server to start: the command `argv` with `env`, answering on `port`."""

    name: str
    argv: list[str]
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
                proc = subprocess.Popen(spec.argv, cwd=REPO, env=spec.env, stdout=out, stderr=subprocess.STDOUT)
            started.append((spec, proc, log))
        # They start side by side; waiting in turn costs no more than the slowest.
        for spec, proc, log in started:
            _wait_ready(spec.name, proc, log, START_TIMEOUT_S)
        yield [Server(spec.name, f"http://127.0.0.1:{spec.port}", proc.pid, log) for spec, proc, log in started]
    finally:
        for _, proc, _ in started:
            _stop(proc)


# The gateway with its public-read cache on (learnhub/caching), loaded on the shapes it caches.
CACHED_GATEWAY = "gateway-cached"


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


def gateway_spec(store_env: Mapping[str, str], *, cached: bool = False) -> Spec:
    """`learnhub serve` (uvicorn, one worker). The gateway measured against the floor and the peers
    executes every request (the public-read cache off); `cached` is the same gateway with the cache
    on, measured beside it on the shapes the cache serves."""
    port = free_port()
    argv = [sys.executable, "-m", "learnhub", "serve", "--workers", "1"]
    env = gateway_env(store_env, port) | {"PUBLIC_CACHE_ENABLED": "true" if cached else "false"}
    return Spec(CACHED_GATEWAY if cached else "gateway", argv, env, port)


def _uvicorn(name: str, app: str, store_env: Mapping[str, str]) -> Spec:
    """`uvicorn <app>`, configured like `learnhub serve`: one worker, same host, info log."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    argv += ["--log-level", "info", "--proxy-headers", "--lifespan", "on"]
    return Spec(name, argv, {**os.environ, **store_env}, port)


def floor_spec(store_env: Mapping[str, str]) -> Spec:
    return _uvicorn("floor", "bench.floor:app", store_env)


def strawberry_spec(store_env: Mapping[str, str]) -> Spec:
    """The plain Strawberry peer, served like the floor."""
    return _uvicorn("strawberry", "bench.peers.strawberry_plain:app", store_env)


def _node_version(node: str) -> str:
    return subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()


def node_path() -> str:
    """The `node` to run the Apollo peer with; fails with what to do when it is missing or too old."""
    found = shutil.which("node")
    if found is None:
        raise ServerError("node is not installed (scripts/bootstrap --test installs Node.js and the Apollo peer)")
    version = _node_version(found)
    major, minor = (int(part) for part in version.lstrip("v").split(".")[:2])
    if (major, minor) < (NODE_MAJOR, NODE_MINOR):
        raise ServerError(f"the Apollo peer needs Node.js {NODE_MAJOR}.{NODE_MINOR} or later, found {version}")
    if not (APOLLO / "node_modules" / "@apollo" / "server").is_dir():
        raise ServerError(f"the Apollo peer's packages are missing: run scripts/bootstrap --test (npm ci in {APOLLO})")
    return found


def apollo_versions() -> dict[str, str]:
    """Node's version and the Apollo peer's direct dependencies, as its lock pins them."""
    lock = json.loads((APOLLO / "package-lock.json").read_text())
    versions = {"node": _node_version(node_path())}
    for name in lock["packages"][""]["dependencies"]:
        versions[name] = lock["packages"][f"node_modules/{name}"]["version"]
    return versions


def peer_versions() -> dict[str, dict[str, str]]:
    """What each peer runs on, for the report."""
    python = ("strawberry-graphql", "graphql-core", "uvicorn", "starlette", "asyncpg", "pymongo", "PyJWT")
    return {"apollo": apollo_versions(), "strawberry": {name: version(name) for name in python}}


def apollo_spec(store_env: Mapping[str, str]) -> Spec:
    """`node bench/peers/apollo/server.js`: one process, production mode, the gateway's environment."""
    port = free_port()
    env = {**os.environ, **store_env, "PORT": str(port), "NODE_ENV": "production"}
    return Spec("apollo", [node_path(), str(APOLLO / "server.js")], env, port)
