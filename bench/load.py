"""One wrk run against one server process, with that process's CPU and memory measured around it."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]  # no stubs installed; used for a few calls only

LUA = Path(__file__).parent / "lua"
RESULT_MARK = "BENCH_RESULT "
# Longer than the gateway's own 10 s operation timeout (OPERATION_TIMEOUT_SECONDS): a slow
# request must show up in the percentiles or as the gateway's 504, not vanish as a wrk timeout.
REQUEST_TIMEOUT_S = 30
RSS_SAMPLE_INTERVAL_S = 0.05
# A server is idle when it uses less than this share of a core over IDLE_WINDOW_S.
IDLE_CPU_SHARE = 0.05
IDLE_WINDOW_S = 0.2
IDLE_TIMEOUT_S = 60


class LoadError(RuntimeError):
    pass


@dataclass(frozen=True)
class Load:
    """What wrk sends: a URL, the Lua request fragment (static.lua or submit.lua) and its arguments."""

    url: str
    fragment: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """How wrk sends it: closed loop at `concurrency`, or paced to about `rate` requests/s."""

    concurrency: int
    duration_s: int
    rate: float | None = None

    @property
    def threads(self) -> int:
        # Two cores: more wrk threads than that only take CPU from the server under test.
        return min(self.concurrency, 2)

    @property
    def mode(self) -> str:
        return "closed" if self.rate is None else "fixed"


@dataclass
class RunResult:
    shape: str
    target: str  # "gateway" or "floor"
    mode: str  # "closed" or "fixed" (rate-paced)
    concurrency: int
    threads: int
    duration_s: float
    requests: int
    rps: float
    latency_ms: dict[str, float]  # p50, p95, p99, mean, max
    errors: dict[str, int]  # connect, read, write, status (non-2xx), timeout, graphql
    cpu_ms_per_request: float | None
    peak_rss_mb: float
    target_rate: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def error_total(self) -> int:
        return sum(self.errors.values())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["error_total"] = self.error_total
        return data


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise LoadError("wrk is not installed (Debian: apt-get install wrk; scripts/bootstrap --test does it)")
    return found


def compose_script(fragment: str, *, paced: bool, into: Path) -> Path:
    """common.lua + the request fragment (+ pace.lua): wrk takes a single script file."""
    parts = [LUA / "common.lua", LUA / fragment] + ([LUA / "pace.lua"] if paced else [])
    name = "-".join(p.stem for p in parts[1:]) + ".lua"
    script = into / name
    script.write_text("\n".join(p.read_text() for p in parts))
    return script


class _ProcessMeter:
    """CPU seconds used by a process tree between start() and stop(), and its peak RSS meanwhile."""

    def __init__(self, pid: int) -> None:
        self._root = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)
        self.peak_rss = 0
        self._cpu_before = 0.0
        self.cpu_seconds = 0.0

    def _tree(self) -> list[psutil.Process]:
        return [self._root, *self._root.children(recursive=True)]

    def cpu(self) -> float:
        total = 0.0
        for proc in self._tree():
            times = proc.cpu_times()
            total += times.user + times.system
        return total

    def _sample(self) -> None:
        # Event.wait paces the sampling; it does not order anything.
        while not self._stop.wait(RSS_SAMPLE_INTERVAL_S):
            self._measure_rss()

    def _measure_rss(self) -> None:
        try:
            rss = sum(proc.memory_info().rss for proc in self._tree())
        except psutil.NoSuchProcess:
            return
        self.peak_rss = max(self.peak_rss, rss)

    def start(self) -> None:
        self._measure_rss()
        self._cpu_before = self.cpu()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._measure_rss()
        self.cpu_seconds = self.cpu() - self._cpu_before


@contextmanager
def metered(pid: int) -> Iterator[_ProcessMeter]:
    meter = _ProcessMeter(pid)
    meter.start()
    try:
        yield meter
    finally:
        meter.stop()


def wait_idle(pid: int, timeout: float = IDLE_TIMEOUT_S) -> None:
    """Until the server has finished the work a previous run left behind.

    wrk stops at its deadline with requests still in flight; the server keeps computing their
    answers, and without this the next run would be measured against that backlog.
    """
    meter = _ProcessMeter(pid)
    deadline = time.monotonic() + timeout
    before = meter.cpu()
    while time.monotonic() < deadline:
        time.sleep(IDLE_WINDOW_S)  # the measuring window, not a guess at how long work takes
        after = meter.cpu()
        if after - before < IDLE_CPU_SHARE * IDLE_WINDOW_S:
            return
        before = after
    raise LoadError(f"the server (pid {pid}) was still busy {timeout:.0f} s after the previous run")


def _parse(stdout: str) -> dict[str, Any]:
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARK):
            parsed: dict[str, Any] = json.loads(line[len(RESULT_MARK) :])
            return parsed
    raise LoadError(f"wrk printed no result line:\n{stdout[-2000:]}")


def run_wrk(load: Load, plan: Plan, *, server_pid: int, shape: str, target: str, workdir: Path) -> RunResult:
    """Run wrk once; the server's CPU and peak RSS are measured over this run and the work it left."""
    script = compose_script(load.fragment, paced=plan.rate is not None, into=workdir)
    args = [*load.args, f"threads={plan.threads}"]
    if plan.rate is not None:
        args.append(f"rate={plan.rate:g}")
    command: Sequence[str] = [
        wrk_path(),
        f"--threads={plan.threads}",
        f"--connections={plan.concurrency}",
        f"--duration={plan.duration_s}s",
        f"--timeout={REQUEST_TIMEOUT_S}s",
        f"--script={script}",
        load.url,
        "--",
        *args,
    ]
    wait_idle(server_pid)
    with metered(server_pid) as meter:
        done = subprocess.run(command, capture_output=True, text=True, timeout=plan.duration_s + 60, check=False)
        # The requests in flight at wrk's deadline are still computed: their CPU belongs to this run.
        wait_idle(server_pid)
    if done.returncode != 0:
        raise LoadError(f"wrk exited with {done.returncode}: {done.stderr.strip() or done.stdout[-2000:]}")
    raw = _parse(done.stdout)
    requests = int(raw["requests"])
    # Closed loop: every connection has one request in flight when wrk stops, and the server
    # finishes it (its CPU is counted above). Paced: hardly any are in flight.
    served = requests + (plan.concurrency if plan.rate is None else 0)
    seconds = raw["duration_us"] / 1e6
    latency = {name: value / 1000 for name, value in raw["latency_us"].items()}
    return RunResult(
        shape=shape,
        target=target,
        mode=plan.mode,
        concurrency=plan.concurrency,
        threads=plan.threads,
        duration_s=round(seconds, 3),
        requests=requests,
        rps=requests / seconds if seconds > 0 else 0.0,
        latency_ms=latency,
        errors={name: int(count) for name, count in raw["errors"].items()},
        cpu_ms_per_request=1000 * meter.cpu_seconds / served if requests else None,
        peak_rss_mb=meter.peak_rss / 2**20,
        target_rate=plan.rate,
    )
