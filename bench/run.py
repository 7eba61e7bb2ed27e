"""Regenerate the benchmark: `python -m bench.run [--scale N] [--duration S] [--concurrency 1,8,32] [--smoke]`.

Starts the embedded stores in a temporary folder, migrates and seeds them at scale N, indexes
the data for search (Typesense collections, lesson chunks and their embeddings), serves the
gateway, the floor and the two peers (bench/peers: Apollo Server on Node, plain Strawberry) side
by side (one process each, 127.0.0.1), checks that all return the same data, loads every shape
with wrk (the peers: every read shape but search), then writes the raw results
(bench/results/latest.json) and the report (docs/benchmarks.md and docs/benchmarks.png).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import equivalence, report, shapes, track
from bench.client import ProbeError, get_json, post_graphql, sign_in
from bench.dataset import PASSWORD, Dataset, prepare
from bench.floor import ROUND_TRIPS as FLOOR_ROUND_TRIPS
from bench.load import Load, Plan, RunResult, run_wrk, wrk_path
from bench.machine import describe
from bench.servers import (
    CACHED_GATEWAY,
    REPO,
    Server,
    apollo_spec,
    floor_spec,
    gateway_spec,
    node_path,
    peer_versions,
    serving,
    strawberry_spec,
)
from bench.submissions import Submissions, submitter_emails
from learnhub.core.settings import Settings
from learnhub.embedded import running_cluster

RESULTS = REPO / "bench" / "results" / "latest.json"
DOCS = REPO / "docs"
COMMAND = "python -m bench.run"
# Fixed-rate runs offer at most this, and never more than half of what the gateway sustained
# closed-loop: the point is latency under a load both servers can carry.
DEFAULT_RATE = 100.0
FIXED_CONCURRENCY = 8
# Open attempts made per second of a submit run: a ceiling on what the gateway could submit.
SUBMIT_HEADROOM = 3.0
SUBMIT_MIN_RATE = 200.0
# A closed-loop run lasts at least this many "rounds" (c requests one after another through a
# saturated server), so slow shapes at high concurrency still complete enough requests to measure.
MIN_ROUNDS = 2
MAX_DURATION_FACTOR = 6


@dataclass(frozen=True)
class Options:
    scale: int
    duration_s: int
    concurrency: tuple[int, ...]
    smoke: bool
    out: Path
    results: Path
    rate: float
    warmup_s: int

    @property
    def fixed_rate(self) -> bool:
        return not self.smoke


def _concurrency(text: str) -> tuple[int, ...]:
    values = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("give positive integers, e.g. 1,8,32")
    return values


def parse(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=None, help="data set size (default 10; --smoke: 1)")
    parser.add_argument("--duration", type=int, default=None, help="seconds per wrk run (default 10; --smoke: 1)")
    parser.add_argument("--concurrency", type=_concurrency, default=None, help="default 1,8,32 (--smoke: 1,8)")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="fixed-rate runs' ceiling, req/s")
    parser.add_argument("--smoke", action="store_true", help="seconds-long check: scale 1, 1 s runs, no fixed rate")
    parser.add_argument("--out", type=Path, default=None, help="where the report goes (default docs/)")
    args = parser.parse_args(argv)
    smoke: bool = args.smoke
    out: Path = args.out or (Path(tempfile.mkdtemp(prefix="learnhub-bench-smoke-")) if smoke else DOCS)
    return Options(
        scale=args.scale or (1 if smoke else 10),
        duration_s=args.duration or (1 if smoke else 10),
        concurrency=args.concurrency or ((1, 8) if smoke else (1, 8, 32)),
        smoke=smoke,
        out=out,
        # A smoke run must not replace the real run's raw results.
        results=out / "latest.json" if smoke else RESULTS,
        rate=args.rate,
        # The smoke run only checks that everything works: no warm-up.
        warmup_s=0 if smoke else 3,
    )


_STARTED = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - _STARTED:5.0f} s] {message}", flush=True)


def _summary(run: RunResult) -> str:
    lat = run.latency_ms
    rate = f" (target {run.target_rate:g}/s)" if run.target_rate else ""
    return (
        f"  {run.shape:<13} {run.target:<7} {run.mode:<6} c={run.concurrency:<3} {run.rps:8.1f} req/s{rate}"
        f"  p50 {lat['p50']:7.2f}  p95 {lat['p95']:7.2f}  p99 {lat['p99']:7.2f} ms"
        f"  cpu {run.cpu_ms_per_request or 0:6.2f} ms/req  rss {run.peak_rss_mb:6.1f} MB  errors {run.error_total}"
    )


class Bench:
    """One benchmark session against a running gateway, floor and peers."""

    def __init__(
        self,
        options: Options,
        gateway: Server,
        floor: Server,
        targets: shapes.Targets,
        workdir: Path,
        *,
        peers: Sequence[Server],
    ) -> None:
        self.options = options
        self.gateway = gateway
        self.floor = floor
        self.peers = list(peers)
        self.targets = targets
        self.workdir = workdir
        self.runs: list[RunResult] = []

    def _wrk(self, load: Load, plan: Plan, shape: str, server: Server, *, keep: bool = True) -> RunResult:
        result = run_wrk(load, plan, server_pid=server.pid, shape=shape, target=server.name, workdir=self.workdir)
        if keep:
            self.runs.append(result)
            say(_summary(result))
        return result

    def probe(self, http: httpx.Client, shape: str) -> dict[str, Any]:
        """One request to each server: their data must match; the gateway's round trips are recorded."""
        body = shapes.gateway_body(shape, self.targets)
        authorization = shapes.gateway_authorization(shape, self.targets)
        answer = post_graphql(http, self.gateway.url, body, authorization)
        floor_answer = get_json(http, shapes.floor_url(shape, self.targets))
        equivalence.check(shape, answer, floor_answer)
        sizes = {"gateway": _size(answer["data"]), "floor": _size(floor_answer)}
        for peer in self._peers(shape):
            peer_answer = post_graphql(http, peer.url, body, authorization)
            equivalence.check_peer(shape, peer.name, peer_answer, floor_answer)
            sizes[peer.name] = _size(peer_answer["data"])
        return {
            "gateway": shapes.round_trips(answer["extensions"]),
            "floor": {store: FLOOR_ROUND_TRIPS[shape].get(store, 0) for store in shapes.STORES},
            "response_bytes": sizes,
        }

    def _peers(self, shape: str) -> list[Server]:
        """The servers loaded beside the gateway and the floor: the peers on their shapes, the
        cached gateway on the shapes its cache answers."""
        peers = [p for p in self.peers if p.name != CACHED_GATEWAY] if shape in shapes.PEER_SHAPES else []
        cached = [p for p in self.peers if p.name == CACHED_GATEWAY] if shape in shapes.CACHED_SHAPES else []
        return peers + cached

    def _closed(self, concurrency: int, last_rps: float) -> Plan:
        """At least `duration`, and at least MIN_ROUNDS rounds at the throughput seen last."""
        duration = self.options.duration_s
        if last_rps > 0:
            needed = math.ceil(MIN_ROUNDS * concurrency / last_rps)
            duration = min(max(duration, needed), MAX_DURATION_FACTOR * self.options.duration_s)
        return Plan(concurrency, duration)

    def _warm_up(self, load: Load, shape: str, server: Server) -> None:
        if self.options.warmup_s > 0:
            self._wrk(load, Plan(max(self.options.concurrency), self.options.warmup_s), shape, server, keep=False)

    def read_shape(self, shape: str) -> None:
        """Each server in turn at each concurrency: gateway, floor, then the peers that serve the shape."""
        loads = [
            (self.gateway, shapes.gateway_load(shape, self.targets, self.workdir)),
            (self.floor, shapes.floor_load(shape, self.targets)),
        ]
        for peer in self._peers(shape):
            loads.append((peer, shapes.graphql_load(shape, self.targets, peer.url, self.workdir)))
        for server, load in loads:
            self._warm_up(load, shape, server)
        best = 0.0
        last = {server.name: 0.0 for server, _ in loads}
        for concurrency in self.options.concurrency:
            for server, load in loads:
                last[server.name] = self._wrk(load, self._closed(concurrency, last[server.name]), shape, server).rps
            best = max(best, last[self.gateway.name])
        if self.options.fixed_rate:
            # The same pace for every server: the gateway's, so latency is compared under a load all can carry.
            paced = Plan(FIXED_CONCURRENCY, self.options.duration_s, rate=self._fixed_rate(best))
            for server, load in loads:
                self._wrk(load, paced, shape, server)

    def _fixed_rate(self, gateway_best_rps: float) -> float:
        return float(max(1, min(self.options.rate, math.floor(gateway_best_rps / 2))))

    def submit(self, http: httpx.Client, submissions: Submissions) -> dict[str, Any]:
        """The write shape, gateway only: every request a first submission of a fresh open attempt."""
        [(auth, body)] = submissions.batch(1)
        answer = post_graphql(http, self.gateway.url, body, auth)
        payload = answer.get("data", {}).get("submitQuizAttempt") if "errors" not in answer else None
        if payload is None or payload["errors"] or not payload["attempt"]["passed"]:
            raise ProbeError(f"submit: the probe submission was not graded as all right: {answer}")
        trips = shapes.round_trips(answer["extensions"])

        def load_for(plan: Plan, expected_rps: float) -> Load:
            count = math.ceil(max(SUBMIT_MIN_RATE, SUBMIT_HEADROOM * expected_rps) * plan.duration_s) + 50
            requests = submissions.write_batch(count, self.workdir / "submit-requests.txt")
            return shapes.submit_load(self.targets, requests)

        best = last = 0.0
        if self.options.warmup_s > 0:
            warmup = Plan(max(self.options.concurrency), self.options.warmup_s)
            last = self._wrk(load_for(warmup, 500.0), warmup, "submit", self.gateway, keep=False).rps
        for concurrency in self.options.concurrency:
            plan = self._closed(concurrency, last)
            last = self._wrk(load_for(plan, max(best, last)), plan, "submit", self.gateway).rps
            best = max(best, last)
        if self.options.fixed_rate:
            paced = Plan(FIXED_CONCURRENCY, self.options.duration_s, rate=self._fixed_rate(best))
            self._wrk(load_for(paced, paced.rate or best), paced, "submit", self.gateway)
        return {"gateway": trips}

    def track(self, http: httpx.Client, settings: Settings) -> dict[str, Any]:
        """The analytics write shape, gateway only: 100 events per call; then the rows PostgreSQL took."""
        probe = post_graphql(
            http, self.gateway.url, track.body(self.targets.hot_content_id), self.targets.authorization
        )
        if probe.get("data", {}).get("trackEvents", {}).get("accepted") != track.EVENTS_PER_REQUEST:
            raise ProbeError(f"track: the probe batch was not accepted whole: {probe}")
        trips = shapes.round_trips(probe["extensions"])
        load = shapes.track_load(self.targets, self.workdir)
        self._warm_up(load, shapes.TRACK_SHAPE, self.gateway)
        # Counted from before the first run's events; the probe's and warm-up's are flushed by the
        # time the runs end, so those are taken off again below.
        before = track.count_rows(settings)
        warm = track.settled_rows(settings, before) - before
        runs, last = [], 0.0
        for concurrency in self.options.concurrency:
            run = self._wrk(load, self._closed(concurrency, last), shapes.TRACK_SHAPE, self.gateway)
            runs.append(run)
            last = run.rps
        requests = sum(run.requests for run in runs)
        rows = track.settled_rows(settings, before + warm + requests * track.EVENTS_PER_REQUEST) - before - warm
        seconds = sum(run.duration_s for run in runs)
        return {
            "gateway": trips,
            "events_per_request": track.EVENTS_PER_REQUEST,
            "requests": requests,
            "rows": rows,
            "seconds": round(seconds, 2),
            "rows_per_second": round(rows / seconds, 1) if seconds else 0.0,
            "events_per_second": {str(run.concurrency): round(run.rps * track.EVENTS_PER_REQUEST, 1) for run in runs},
        }


def _size(data: Any) -> int:
    """JSON bytes of an answer's data, compactly encoded."""
    return len(json.dumps(data, separators=(",", ":")))


def _shown(path: Path) -> str:
    """A path as the report shows it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def _benchmark(options: Options, root: Path) -> dict[str, Any]:
    began = time.monotonic()
    workdir = root / "work"
    workdir.mkdir()
    say(f"Starting the stores in {root} ...")
    with running_cluster(root / "servers", durable=False) as cluster:
        store_env = cluster.env()
        overrides: dict[str, Any] = {k.lower(): v for k, v in store_env.items()}
        settings = Settings(**overrides, environment="test")
        say(f"Migrating, seeding and indexing scale {options.scale} ...")
        dataset: Dataset = prepare(settings, options.scale)
        indexing = dataset.indexing
        say(f"  {dataset.rows:,} rows and {dataset.documents:,} documents in {dataset.seed_seconds:.1f} s")
        say(
            f"  indexed for search in {indexing.seconds:.1f} s: {indexing.documents:,} Typesense documents, "
            f"{indexing.chunks:,} chunks of {indexing.embedded_lessons:,} lessons embedded"
        )
        specs = [
            gateway_spec(store_env),
            floor_spec(store_env),
            apollo_spec(store_env),
            strawberry_spec(store_env),
            gateway_spec(store_env, cached=True),
        ]
        with serving(specs, root) as (gateway, floor, *peers), httpx.Client(timeout=30) as http:
            auth = {email: sign_in(http, gateway.url, email, PASSWORD) for email in submitter_emails()}
            targets = shapes.Targets(
                gateway_url=gateway.url,
                floor_url=floor.url,
                authorization=auth[dataset.dashboard_user_email],
                dashboard_user_id=str(dataset.dashboard_user_id),
                hot_content_id=dataset.hot_content_id,
            )
            bench = Bench(options, gateway, floor, targets, workdir, peers=peers)
            probes = {shape: bench.probe(http, shape) for shape in shapes.READ_SHAPES}
            say("Gateway, floor and peers return the same data (the peers: every read shape but search).")
            for shape in shapes.READ_SHAPES:
                bench.read_shape(shape)
            probes[shapes.WRITE_SHAPE] = bench.submit(http, Submissions(settings, auth))
            probes[shapes.TRACK_SHAPE] = bench.track(http, settings)
        # The servers' logs (access log included) outlive the temporary folder, to explain any errors.
        logs = options.results.parent / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for server in (gateway, floor, *peers):
            shutil.copyfile(server.log, logs / server.log.name)
    return {
        "meta": {
            "command": COMMAND + (" --smoke" if options.smoke else ""),
            "results": _shown(options.results),
            "smoke": options.smoke,
            "scale": options.scale,
            "duration_s": options.duration_s,
            "warmup_s": options.warmup_s,
            "concurrency": list(options.concurrency),
            "rate_ceiling": options.rate,
            "fixed_concurrency": FIXED_CONCURRENCY,
            "machine": describe(wrk_path()),
            "peers": peer_versions(),
            "dataset": {
                "rows": dataset.rows,
                "documents": dataset.documents,
                "seed_seconds": round(dataset.seed_seconds, 1),
                "indexing": dataset.indexing.to_json(),
                "dashboard_user": dataset.dashboard_user_email,
                "hot_content_id": dataset.hot_content_id,
                "search_query": shapes.SEARCH_QUERY,
            },
            "seconds": round(time.monotonic() - began, 1),
        },
        "probes": probes,
        "runs": [run.to_json() for run in bench.runs],
    }


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    # Fail before minutes of set-up when the load generator or the Apollo peer's Node is missing.
    wrk_path()
    node_path()
    with tempfile.TemporaryDirectory(prefix="learnhub-bench-") as tmp:
        results = _benchmark(options, Path(tmp))
    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.write_text(json.dumps(results, indent=2) + "\n")
    markdown, chart = report.render(results, options.out)
    say(f"Wrote {options.results}, {markdown} and {chart} ({results['meta']['seconds']:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
