"""Profile one shape in process: `python -m bench.profile SHAPE [--requests N] [--cprofile | --no-gc]`.

Starts the embedded stores, seeds the benchmark's data set, opens the gateway application in
this process (its lifespan included, so start-up tuning applies), signs in as the dashboard's
student and sends the shape's request N times after a short warm-up, over httpx's in-process
transport: no server, no load generator, so the figures are the application's own CPU. Prints
CPU and wall time per request, and with --cprofile the functions that took the most time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from bench import shapes
from bench.client import LOGIN
from bench.dataset import PASSWORD, Dataset, prepare
from learnhub.app import create_app
from learnhub.core.settings import Settings
from learnhub.embedded import running_cluster

WARMUP_REQUESTS = 3


async def _profile(settings: Settings, dataset: Dataset, shape: str, requests: int, mode: str) -> dict[str, Any]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        if mode == "no-gc":
            gc.disable()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            login = {"query": LOGIN, "variables": {"email": dataset.dashboard_user_email, "password": PASSWORD}}
            token = (await http.post("/graphql", json=login)).json()["data"]["login"]["accessToken"]
            body = {"query": shapes.query_text(shape), "variables": shapes.variables(shape, dataset.hot_content_id)}
            # Signed in where the load run is (the dashboard), anonymous elsewhere.
            headers = {"authorization": f"Bearer {token}"} if shape in shapes.SIGNED_IN_SHAPES else {}
            for _ in range(WARMUP_REQUESTS):
                answer = (await http.post("/graphql", json=body, headers=headers)).json()
                if "errors" in answer:
                    raise SystemExit(f"{shape}: {answer['errors']}")
            profiler = cProfile.Profile() if mode == "cprofile" else None
            if profiler is not None:
                profiler.enable()
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(requests):
                await http.post("/graphql", json=body, headers=headers)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
    return {"shape": shape, "cpu_ms": cpu / requests * 1000, "wall_ms": wall / requests * 1000}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("shape", choices=shapes.READ_SHAPES)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--scale", type=int, default=10)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--cprofile", action="store_const", dest="mode", const="cprofile")
    mode.add_argument("--no-gc", action="store_const", dest="mode", const="no-gc", help="garbage collector off")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="learnhub-profile-") as tmp,
        running_cluster(Path(tmp), durable=False) as cluster,
    ):
        overrides: dict[str, Any] = {k.lower(): v for k, v in cluster.env().items()}
        settings = Settings(
            **overrides, environment="test", rate_limit_enabled=False, worker_in_process=False, round_trip_stats=True
        )
        dataset = prepare(settings, args.scale)
        result = asyncio.run(_profile(settings, dataset, args.shape, args.requests, args.mode or "time"))
    print(f"{result['shape']}: {result['cpu_ms']:.1f} ms CPU, {result['wall_ms']:.1f} ms wall per request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
