"""CI's benchmark smoke: the whole pipeline of `python -m bench.run` at toy size (scale 1, 1 s runs).

It proves the benchmark still runs end to end (stores, seed, gateway, floor and the two peers side
by side, same data from all, wrk, report and chart), not how fast anything is: the numbers of a
1 s run on a shared CI machine mean little. About 90 s on a 2-core machine (the search index
included).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.servers import CACHED_GATEWAY
from bench.shapes import (
    CACHED_SHAPES,
    PEER_SHAPES,
    PEERS,
    READ_SHAPES,
    ROUND_TRIP_TARGETS,
    STORE_ROUND_TRIP_TARGETS,
    STORES,
    TRACK_SHAPE,
    WRITE_SHAPE,
)

REPO = Path(__file__).parents[2]
SMOKE_CONCURRENCY = (1, 8)
# Against a hang, under the suite's 300 s per test: the run takes ~125 s on an idle 2-core
# machine (five servers, the `track` shape included), up to ~170 s when the cores are shared.
TIMEOUT_S = 280
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench-smoke")
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, f"bench.run --smoke failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return out, json.loads((out / "latest.json").read_text())


def _run(runs: list[dict[str, Any]], shape: str, target: str, concurrency: int) -> dict[str, Any]:
    found = [r for r in runs if (r["shape"], r["target"], r["concurrency"]) == (shape, target, concurrency)]
    assert len(found) == 1, f"expected one {shape}/{target}/c={concurrency} run, found {len(found)}"
    return found[0]


def test_every_shape_ran_on_both_servers_without_errors(smoke: tuple[Path, dict[str, Any]]) -> None:
    _, results = smoke
    runs = results["runs"]
    expected = [(shape, target) for shape in READ_SHAPES for target in ("gateway", "floor")]
    expected.append((WRITE_SHAPE, "gateway"))
    expected.append((TRACK_SHAPE, "gateway"))
    for shape, target in expected:
        for concurrency in SMOKE_CONCURRENCY:
            run = _run(runs, shape, target, concurrency)
            assert run["requests"] > 0, run
            assert run["error_total"] == 0, run
    assert {r["mode"] for r in runs} == {"closed"}  # --smoke has no fixed-rate runs
    assert not any(r["target"] == "floor" and r["shape"] == WRITE_SHAPE for r in runs)


def test_every_tracked_event_reached_postgresql(smoke: tuple[Path, dict[str, Any]]) -> None:
    _, results = smoke
    track = results["probes"][TRACK_SHAPE]
    assert track["requests"] > 0
    # Requests wrk cut off at a run's end were still served: more rows, never fewer.
    assert track["rows"] >= track["requests"] * track["events_per_request"]
    assert track["rows_per_second"] > 0


def _ran_without_errors(runs: list[dict[str, Any]], shapes: tuple[str, ...], target: str) -> None:
    for shape in shapes:
        for concurrency in SMOKE_CONCURRENCY:
            run = _run(runs, shape, target, concurrency)
            assert run["requests"] > 0, run
            assert run["error_total"] == 0, run


def test_peers_ran_their_shapes_without_errors(smoke: tuple[Path, dict[str, Any]]) -> None:
    _, results = smoke
    runs = results["runs"]
    for peer in PEERS:
        _ran_without_errors(runs, PEER_SHAPES, peer)
        # Neither search nor submit: the peers serve the four read shapes only.
        assert {r["shape"] for r in runs if r["target"] == peer} == set(PEER_SHAPES)
    for shape in PEER_SHAPES:
        assert set(PEERS) <= set(results["probes"][shape]["response_bytes"]), shape
    assert set(results["meta"]["peers"]) == set(PEERS)


def test_round_trips_within_targets(smoke: tuple[Path, dict[str, Any]]) -> None:
    _, results = smoke
    for shape, limit in ROUND_TRIP_TARGETS.items():
        trips = results["probes"][shape]["gateway"]
        assert sum(trips[store] for store in STORES) <= limit, (shape, trips)
    for shape, limits in STORE_ROUND_TRIP_TARGETS.items():
        trips = results["probes"][shape]["gateway"]
        assert all(trips[store] <= limit for store, limit in limits.items()), (shape, trips)


def test_search_was_indexed_and_found_hits(smoke: tuple[Path, dict[str, Any]]) -> None:
    _, results = smoke
    indexing = results["meta"]["dataset"]["indexing"]
    assert indexing["documents"] > 0
    assert indexing["chunks"] >= indexing["lessons"] > 0
    assert results["probes"]["search"]["response_bytes"]["gateway"] > 1_000  # ten hits, not an empty page


def test_report_and_chart_written(smoke: tuple[Path, dict[str, Any]]) -> None:
    out, _ = smoke
    page = (out / "benchmarks.md").read_text()
    headings = ("## Gateway vs peers at c=8", "## Machine", "## Targets", "## Round trips per request")
    for heading in (*headings, "## Changes and their effect"):
        assert heading in page
    for peer in PEERS:
        assert f"| c=8 | *gateway / {peer}* |" in page
    for shape in (*READ_SHAPES, WRITE_SHAPE, TRACK_SHAPE):
        assert f"### {shape}" in page
    chart = (out / "benchmarks.png").read_bytes()
    assert chart.startswith(PNG_MAGIC)
    assert len(chart) > 10_000


def test_the_cached_gateway_ran_the_shapes_its_cache_serves(smoke: tuple[Path, dict[str, Any]]) -> None:
    _, results = smoke
    runs = results["runs"]
    _ran_without_errors(runs, CACHED_SHAPES, CACHED_GATEWAY)
    assert {r["shape"] for r in runs if r["target"] == CACHED_GATEWAY} == set(CACHED_SHAPES)
