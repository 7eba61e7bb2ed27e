"""The cost of observability: `python -m bench.overhead [--rounds R] [--requests N] [--scale S]`.

One process, one data set, one application, in process over httpx's ASGI transport (as
bench/profile.py): the dashboard and hot shapes are sent in interleaved rounds with
  off      no metrics, no tracing, no request log
  metrics  Prometheus metrics only (the default)
  log      metrics and the JSON request log written to a file (production's default)
  sampled  metrics, the JSON request log written to a file, and tracing with one request in
           ten sampled (`parentbased_traceidratio`, 0.1, or `--ratio`) through the SDK's BatchSpanProcessor
           and the OTLP/HTTP exporter to a real receiver in another process
  all      the same with every request traced (`always_on`)
and CPU per request of this process (the exporter's thread included) is compared round by round
with `off` (the median of the ratios: the machine's load drifts less within a round).
The budget (5%) applies to `sampled`, the recommended production setting; `all` shows the cost
of a span per request and per store call in Python's SDK.
Rounds alternate the modes so the machine's load drifts across all of them alike.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Tracer

from bench import shapes
from bench.client import LOGIN
from bench.dataset import PASSWORD, Dataset, prepare
from learnhub.app import create_app
from learnhub.core.settings import Settings
from learnhub.embedded import running_cluster
from learnhub.embedded.base import free_port
from learnhub.embedded.otlp import OtlpReceiver
from learnhub.observability import logs, metrics, tracing
from learnhub.observability import requests as observed_requests

SHAPES = ("dashboard", "hot")
# Requests per mode in a round: about 0.5 s of CPU each. The overhead sought (a few percent) is
# smaller than the drift of a shared 2-core machine over a minute, so many short interleaved
# rounds and the median of their ratios: 9 rounds of 100 hot reads moved by 5 points between
# runs, 30 rounds of 200 by about 2.
REQUESTS_PER_ROUND = {"dashboard": 20, "hot": 200}
MODES = ("off", "metrics", "log", "sampled", "all")
SAMPLED_RATIO = 0.1  # `--ratio`
WARMUP_REQUESTS = 5
BUDGET = 0.05  # at most 5% more CPU per request with everything on


def _sink(port: int) -> None:
    """A real OTLP/HTTP endpoint, run as its own process so that decoding spans costs the
    measured process nothing."""
    OtlpReceiver(port).serve_forever()


def _tracers(ratio: float = SAMPLED_RATIO) -> dict[str, tuple[TracerProvider, Tracer]]:
    """One provider per sampler, both exporting to the receiver."""
    made: dict[str, tuple[TracerProvider, Tracer]] = {}
    for mode, sampler in (("sampled", "parentbased_traceidratio"), ("all", "always_on")):
        os.environ["OTEL_TRACES_SAMPLER"], os.environ["OTEL_TRACES_SAMPLER_ARG"] = sampler, str(ratio)
        tracing.state.provider = None
        assert tracing.configure()
        assert tracing.state.provider is not None
        assert tracing.state.tracer is not None
        made[mode] = (tracing.state.provider, tracing.state.tracer)
    return made


def _mode(mode: str, tracers: dict[str, tuple[TracerProvider, Tracer]]) -> None:
    metrics.enabled = mode != "off"
    observed_requests.log_enabled = mode in tracers or mode == "log"
    tracing.state.provider, tracing.state.tracer = tracers.get(mode, (tracing.state.provider, None))


async def _measure(
    settings: Settings,
    dataset: Dataset,
    rounds: int,
    requests: int | None,
    shapes_run: Sequence[str],
    *,
    ratio: float = SAMPLED_RATIO,
) -> dict[str, dict[str, list[float]]]:
    app = create_app(settings)
    tracers = _tracers(ratio)
    cpu: dict[str, dict[str, list[float]]] = {shape: {mode: [] for mode in MODES} for shape in shapes_run}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            login = {"query": LOGIN, "variables": {"email": dataset.dashboard_user_email, "password": PASSWORD}}
            token = (await http.post("/graphql", json=login)).json()["data"]["login"]["accessToken"]
            for round_number in range(rounds):
                for shape in shapes_run:
                    count = requests or REQUESTS_PER_ROUND[shape]
                    body = {
                        "query": shapes.query_text(shape),
                        "variables": shapes.variables(shape, dataset.hot_content_id),
                    }
                    headers = {"authorization": f"Bearer {token}"} if shape in shapes.SIGNED_IN_SHAPES else {}
                    # Rotate the order of the modes each round as well.
                    order = MODES[round_number % len(MODES) :] + MODES[: round_number % len(MODES)]
                    for mode in order:
                        _mode(mode, tracers)
                        for _ in range(WARMUP_REQUESTS):
                            answer = (await http.post("/graphql", json=body, headers=headers)).json()
                            if "errors" in answer:
                                raise SystemExit(f"{shape}: {answer['errors']}")
                        started = time.process_time()
                        for _ in range(count):
                            await http.post("/graphql", json=body, headers=headers)
                        if mode in tracers:
                            tracers[mode][0].force_flush()  # the export's CPU belongs to these requests
                        cpu[shape][mode].append((time.process_time() - started) / count * 1000)
    for provider, _ in tracers.values():
        provider.shutdown()
    tracing.state.provider = tracing.state.tracer = None
    return cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.overhead", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--requests", type=int, help="per mode and round (default: 20 dashboards, 200 hot reads)")
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--ratio", type=float, default=SAMPLED_RATIO, help="share of requests traced in `sampled`")
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.sink:
        _sink(args.sink)
        return 0
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "bench.overhead", "--sink", str(port)])
    os.environ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = f"http://127.0.0.1:{port}/v1/traces"
    with (
        tempfile.TemporaryDirectory(prefix="learnhub-overhead-") as tmp,
        running_cluster(Path(tmp), durable=False) as cluster,
    ):
        # The request log as production writes it (JSON lines, `logs.configure(json_lines=True)`),
        # to a file instead of stderr.
        request_file = os.open(Path(tmp) / "requests.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        logs.output.request_lines = logs.RequestLines(request_file)
        logging.getLogger("httpx").setLevel(logging.WARNING)  # the client's own lines cost every mode
        overrides: dict[str, Any] = {k.lower(): v for k, v in cluster.env().items()}
        # As the gateway's benchmark runs it: no public cache answers, so every request executes.
        settings = Settings(
            **overrides,
            environment="test",
            rate_limit_enabled=False,
            worker_in_process=False,
            public_cache_enabled=False,
        )
        dataset = prepare(settings, args.scale)
        try:
            cpu = asyncio.run(_measure(settings, dataset, args.rounds, args.requests, args.shapes, ratio=args.ratio))
        finally:
            logs.output.request_lines = None
            os.close(request_file)
            sink.terminate()
            sink.wait()
    worst = 0.0
    print(
        f"CPU per request (median of {args.rounds} interleaved rounds, scale {args.scale}); the change is the"
        " median of each round's ratio to that round's `off`, with the middle half of those ratios:"
    )
    for shape, by_mode in cpu.items():
        print(f"  {shape} ({args.requests or REQUESTS_PER_ROUND[shape]} requests per mode and round)")
        for mode in MODES:
            ratios = sorted(m / o - 1 for m, o in zip(by_mode[mode], by_mode["off"], strict=True))
            change = statistics.median(ratios)
            quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [change, change, change]
            if mode == "sampled":
                worst = max(worst, change)
            print(
                f"    {mode:<8} {statistics.median(by_mode[mode]):7.3f} ms  {change:+6.1%}"
                f"  ({quartiles[0]:+.1%} to {quartiles[2]:+.1%})"
            )
    print(f"worst overhead, metrics + request log + {args.ratio:.0%} traced: {worst:+.1%} (budget {BUDGET:.0%})")
    return 0 if worst <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
