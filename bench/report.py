"""docs/benchmarks.md and docs/benchmarks.png from the raw results (`python -m bench.report` re-renders).

Rendering is separate from measuring so the text can change without another twelve-minute run.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import chart, shapes
from bench.load import IDLE_CPU_SHARE, REQUEST_TIMEOUT_S, RSS_SAMPLE_INTERVAL_S
from bench.servers import CACHED_GATEWAY

Run = dict[str, Any]
RESULTS = Path(__file__).parent / "results" / "latest.json"
DOCS = Path(__file__).parent.parent / "docs"
MARKDOWN = "benchmarks.md"
PNG = "benchmarks.png"
# The profiling log: written by hand as each change lands (the numbers come from runs of this
# command and from profiles), and copied into every regenerated page.
CHANGES = Path(__file__).parent / "changes.md"


def find(runs: Sequence[Run], shape: str, target: str, mode: str, concurrency: int | None = None) -> Run | None:
    for run in runs:
        if (run["shape"], run["target"], run["mode"]) == (shape, target, mode) and (
            concurrency is None or run["concurrency"] == concurrency
        ):
            return run
    return None


def _ratio(gateway: float | None, floor: float | None) -> float | None:
    if gateway is None or floor is None or floor == 0:
        return None
    return gateway / floor


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


@dataclass(frozen=True)
class TargetRow:
    target: str
    measured: str
    met: bool | None  # None: not measured in this run


def _target_concurrency(meta: dict[str, Any]) -> int:
    levels: list[int] = meta["concurrency"]
    return min(levels, key=lambda c: abs(c - shapes.TARGET_CONCURRENCY))


def _throughput_row(text: str, gateway: Run | None, other: Run | None, limit: float, *, share: bool) -> TargetRow:
    """The gateway's req/s against another server's, as a share (of the floor) or a ratio."""
    if gateway is None or other is None:
        return TargetRow(text, "not measured", None)
    ratio = gateway["rps"] / other["rps"]
    if share:
        measured = f"{ratio:.0%} ({gateway['rps']:,.0f} vs {other['rps']:,.0f} req/s)"
    else:
        measured = f"{ratio:.2f}x ({gateway['rps']:,.1f} vs {other['rps']:,.1f} req/s)"
    return TargetRow(text, measured, ratio >= limit)


def evaluate(results: dict[str, Any]) -> list[TargetRow]:
    runs: list[Run] = results["runs"]
    level = _target_concurrency(results["meta"])
    rows: list[TargetRow] = []

    def pair(shape: str) -> tuple[Run | None, Run | None]:
        return find(runs, shape, "gateway", "closed", level), find(runs, shape, "floor", "closed", level)

    for shape, limit in (
        ("dashboard", shapes.DASHBOARD_P50_RATIO),
        ("question_list", shapes.QUESTION_LIST_P50_RATIO),
        ("search", shapes.SEARCH_P50_RATIO),
    ):
        gateway, floor = pair(shape)
        text = f"{shape} p50 <= {limit:g}x floor at c={level}"
        if gateway is None or floor is None:
            rows.append(TargetRow(text, "not measured", None))
            continue
        ratio = gateway["latency_ms"]["p50"] / floor["latency_ms"]["p50"]
        measured = f"{ratio:.2f}x ({gateway['latency_ms']['p50']:.2f} vs {floor['latency_ms']['p50']:.2f} ms)"
        rows.append(TargetRow(text, measured, ratio <= limit))
    for shape in ("catalog", "hot"):
        # Executing every request; then, as a visitor's read is served, with the public-read cache.
        for target, how in (("gateway", ""), (CACHED_GATEWAY, ", public-read cache on")):
            text = f"{shape} throughput >= {shapes.THROUGHPUT_SHARE:.0%} of floor at c={level}{how}"
            gateway, floor = find(runs, shape, target, "closed", level), pair(shape)[1]
            rows.append(_throughput_row(text, gateway, floor, shapes.THROUGHPUT_SHARE, share=True))
    for shape, limit in shapes.APOLLO_THROUGHPUT_RATIO.items():
        text = f"{shape} throughput >= {limit:g}x Apollo at c={level}"
        gateway, apollo = find(runs, shape, "gateway", "closed", level), find(runs, shape, "apollo", "closed", level)
        rows.append(_throughput_row(text, gateway, apollo, limit, share=False))
    for shape, limit in shapes.ROUND_TRIP_TARGETS.items():
        trips = results["probes"].get(shape, {}).get("gateway")
        text = f"{shape} round trips <= {limit}"
        if trips is None:
            rows.append(TargetRow(text, "not measured", None))
            continue
        total = sum(trips.get(store, 0) for store in shapes.STORES)
        rows.append(TargetRow(text, f"{total} ({_per_store(trips)})", total <= limit))
    for shape, limits in shapes.STORE_ROUND_TRIP_TARGETS.items():
        trips = results["probes"].get(shape, {}).get("gateway")
        for store, limit in limits.items():
            text = f"{shape} {STORE_NAMES[store]} round trips <= {limit}"
            if trips is None:
                rows.append(TargetRow(text, "not measured", None))
                continue
            rows.append(TargetRow(text, str(trips.get(store, 0)), trips.get(store, 0) <= limit))
    return rows


STORE_NAMES = {"postgres": "PostgreSQL", "mongodb": "MongoDB", "typesense": "Typesense"}
# The servers compared with the gateway, in the order their rows follow the gateway's.
OTHERS = ("floor", *shapes.PEERS, CACHED_GATEWAY)


def _per_store(trips: dict[str, int]) -> str:
    return " + ".join(f"{trips[store]} {STORE_NAMES[store]}" for store in shapes.STORES if trips.get(store))


def _met(value: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "-"}[value]


def _load(run: Run) -> str:
    if run["mode"] == "fixed":
        return f"~{run['target_rate']:g} req/s, c={run['concurrency']}"
    return f"c={run['concurrency']}"


def _errors(run: Run) -> str:
    total = sum(run["errors"].values())
    if not total:
        return "0"
    parts = ", ".join(f"{name} {count}" for name, count in run["errors"].items() if count)
    return f"**{total}** ({parts})"


def _run_cells(run: Run) -> list[str]:
    lat = run["latency_ms"]
    return [
        _num(run["duration_s"]),
        f"{run['requests']:,}",
        _num(run["rps"]),
        _num(lat["p50"], 2),
        _num(lat["p95"], 2),
        _num(lat["p99"], 2),
        _num(run["cpu_ms_per_request"], 2),
        _num(run["peak_rss_mb"]),
        _errors(run),
    ]


def _ratio_cells(gateway: Run, other: Run) -> list[str]:
    return [
        "",
        "",
        f"*{_x(_ratio(gateway['rps'], other['rps']))}*",
        *(f"*{_x(_ratio(gateway['latency_ms'][p], other['latency_ms'][p]))}*" for p in ("p50", "p95", "p99")),
        f"*{_x(_ratio(gateway['cpu_ms_per_request'], other['cpu_ms_per_request']))}*",
        f"*{_x(_ratio(gateway['peak_rss_mb'], other['peak_rss_mb']))}*",
        "",
    ]


HEADER = "| load | server | s | requests | req/s | p50 ms | p95 ms | p99 ms | CPU ms/req | peak RSS MB | errors |\n"
RULE = "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n"


def _shape_table(runs: Sequence[Run], shape: str) -> str:
    """Per load: the gateway's run, every other server's, then the gateway's ratio to each of them."""
    lines = [HEADER, RULE]
    gateway_runs = [r for r in runs if r["shape"] == shape and r["target"] == "gateway"]
    for gateway in gateway_runs:
        load = _load(gateway)
        lines.append(f"| {load} | gateway | " + " | ".join(_run_cells(gateway)) + " |\n")
        others = [
            (name, run)
            for name in OTHERS
            if (run := find(runs, shape, name, gateway["mode"], gateway["concurrency"])) is not None
        ]
        lines += [f"| {load} | {name} | " + " | ".join(_run_cells(run)) + " |\n" for name, run in others]
        lines += [
            f"| {load} | *gateway / {name}* | " + " | ".join(_ratio_cells(gateway, run)) + " |\n"
            for name, run in others
        ]
    return "".join(lines)


def _peers_summary(results: dict[str, Any]) -> str:
    """Gateway vs each peer (and the floor) per shape at the target concurrency; empty without peer runs."""
    runs: list[Run] = results["runs"]
    if not any(run["target"] in shapes.PEERS for run in runs):
        return ""
    level = _target_concurrency(results["meta"])
    lines = [
        f"## Gateway vs peers at c={level}\n\n",
        "The same GraphQL documents served by the two peers (`bench/peers`): Apollo Server on Node and a "
        "plain Strawberry app, each answering with the gateway's data. A req/s ratio above 1 means the gateway "
        "serves more; a CPU/req ratio below 1 means it spends less CPU per request. Closed loop, "
        f"c={level}.\n\n",
        "| shape | gateway req/s | Apollo req/s | Strawberry req/s | floor req/s "
        "| req/s vs Apollo | vs Strawberry | vs floor | CPU/req vs Apollo |\n",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    ]
    for shape in shapes.PEER_SHAPES:
        by = {name: find(runs, shape, name, "closed", level) for name in ("gateway", *OTHERS)}
        gateway, apollo = by["gateway"], by["apollo"]
        if gateway is None:
            continue
        rps = {name: run["rps"] if run is not None else None for name, run in by.items()}
        cpu = _ratio(gateway["cpu_ms_per_request"], apollo["cpu_ms_per_request"]) if apollo is not None else None
        cells = [
            *(_num(rps[name]) for name in ("gateway", "apollo", "strawberry", "floor")),
            *(_x(_ratio(gateway["rps"], rps[name])) for name in ("apollo", "strawberry", "floor")),
            _x(cpu),
        ]
        lines.append(f"| {shape} | " + " | ".join(cells) + " |\n")
    return "".join(lines) + "\n"


def _peers_measured(meta: dict[str, Any]) -> str:
    """The bullet on the peers in "What is measured"; empty for results from before the peers."""
    peers = meta.get("peers")
    if not peers:
        return ""
    apollo, strawberry = peers["apollo"], peers["strawberry"]
    return (
        "- **Peers** (`bench/peers`, every read shape but search): the same `POST /graphql` requests, with the "
        "same bearer token, to two other GraphQL servers over the same stores, serving the part of the gateway's "
        "schema the four shapes read. **Apollo**: Apollo Server "
        f"{apollo.get('@apollo/server', '?')} (standalone) on Node {apollo.get('node', '?')}, graphql-js "
        f"{apollo.get('graphql', '?')}, per-request DataLoaders, node-postgres {apollo.get('pg', '?')} pool, "
        f"MongoDB driver {apollo.get('mongodb', '?')}, jsonwebtoken; one process, `NODE_ENV=production`. "
        f"**Strawberry**: strawberry-graphql {strawberry.get('strawberry-graphql', '?')} (graphql-core "
        f"{strawberry.get('graphql-core', '?')}), its ASGI app under Starlette and uvicorn (one worker, like "
        "the floor), its DataLoader per request, asyncpg, PyMongo's async client, PyJWT, default execution. "
        "Both verify the token (HS256, key id, issuer, `typ`) but, unlike the gateway, do not check that its "
        "session is still alive. Before loading, each peer's answer is compared with the floor's.\n"
    )


def _round_trips(probes: dict[str, Any]) -> str:
    lines = [
        "| shape | gateway PostgreSQL | gateway MongoDB | gateway Typesense | gateway total | target "
        "| floor PostgreSQL | floor MongoDB | floor Typesense |\n",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|\n",
    ]
    for shape in (*shapes.READ_SHAPES, shapes.WRITE_SHAPE, shapes.TRACK_SHAPE):
        probe = probes.get(shape)
        if probe is None:
            continue
        gateway, floor = probe["gateway"], probe.get("floor")
        limit = shapes.ROUND_TRIP_TARGETS.get(shape)
        cells = [
            *(str(gateway.get(store, 0)) for store in shapes.STORES),
            str(sum(gateway.get(store, 0) for store in shapes.STORES)),
            f"<= {limit}" if limit is not None else "-",
            *(str(floor.get(store, 0)) if floor else "-" for store in shapes.STORES),
        ]
        lines.append(f"| {shape} | " + " | ".join(cells) + " |\n")
    return "".join(lines)


def _track(probe: dict[str, Any]) -> str:
    """What PostgreSQL took behind the `track` runs (bench/track.py)."""
    if "rows" not in probe:
        return ""
    per_concurrency = ", ".join(f"c={c}: {rate:,.0f}" for c, rate in probe["events_per_second"].items())
    return (
        f"{probe['events_per_request']} events per request. Events accepted per second: {per_concurrency}. "
        f"PostgreSQL took {probe['rows']:,} rows for {probe['requests']:,} completed requests in "
        f"{probe['seconds']} s of runs: **{probe['rows_per_second']:,.0f} rows/s** (rows >= requests x "
        f"{probe['events_per_request']}: nothing lost; requests wrk cut off at a run's end add a few).\n\n"
    )


def _indexing(data: dict[str, Any]) -> str:
    indexing = data.get("indexing")
    if indexing is None:
        return ""
    return (
        f"- **Search index**: `learnhub.search.maintenance.reindex` after the seed took {indexing['seconds']} s for "
        f"{indexing['documents']:,} Typesense documents ({indexing['courses']:,} courses, {indexing['lessons']:,} "
        f"lessons, {indexing['questions']:,} questions) and {indexing['chunks']:,} lesson chunks embedded into "
        "pgvector; then `ANALYZE`, so no plan depends on when autovacuum runs.\n"
    )


def _machine(meta: dict[str, Any]) -> str:
    m = meta["machine"]
    return (
        "| CPU | cores | RAM | OS | kernel | Python | load generator | date |\n|---|--:|--:|---|---|---|---|---|\n"
        f"| {m['cpu']} | {m['cores']} | {m['ram_gib']} GiB | {m['os']} | {m['kernel']} | {m['python']} | "
        f"{m['wrk']} | {m['date']} |\n"
    )


def markdown(results: dict[str, Any], png_name: str) -> str:
    meta, runs, probes = results["meta"], results["runs"], results["probes"]
    data = meta["dataset"]
    levels = ", ".join(str(c) for c in meta["concurrency"])
    sizes = {
        shape: probes[shape]["response_bytes"]
        for shape in shapes.READ_SHAPES
        if "response_bytes" in probes.get(shape, {})
    }
    sizes_text = "; ".join(
        f"{shape} {size['gateway']:,} (" + ", ".join(f"{name} {size[name]:,}" for name in OTHERS if name in size) + ")"
        for shape, size in sizes.items()
    )
    parts = [
        "# Benchmarks\n\n",
        f"Generated by `{meta['command']}` (scale {meta['scale']}, {meta['duration_s']} s per run, "
        f"concurrency {levels}); the run took {meta['seconds'] / 60:.1f} minutes. Do not edit by hand: "
        f"rerun the command. Raw results: `{meta.get('results', 'bench/results/latest.json')}` (not committed); "
        "`python -m bench.report` re-renders this page from them.\n\n",
        _peers_summary(results),
        "## How to regenerate\n\n",
        "```sh\n"
        "scripts/bootstrap --test        # once: the virtualenv, wrk from apt, the Apollo peer's npm packages\n"
        ".venv/bin/python -m bench.run   # --scale 10 --duration 10 --concurrency 1,8,32 by default\n"
        "```\n\n",
        "It starts the embedded stores in a temporary folder, migrates them, seeds the scale data set "
        "(`learnhub/seed/scale.py`), serves the gateway (`learnhub serve`), the floor "
        "(`uvicorn bench.floor:app`) and the two peers (`node bench/peers/apollo/server.js`, "
        "`uvicorn bench.peers.strawberry_plain:app`) side by side, checks that all return the same data, runs "
        "wrk against each, and writes this page and the chart. `--smoke` is the seconds-long variant CI runs "
        "(`tests/bench/test_smoke.py`).\n\n",
        "## Machine\n\n",
        _machine(meta),
        "\n",
        "## What is measured\n\n",
        f"- **Data**: scale {meta['scale']}: {data['rows']:,} PostgreSQL rows and {data['documents']:,} MongoDB "
        f"documents (seeded in {data['seed_seconds']} s). The dashboard is `{data['dashboard_user']}` "
        f"(20 enrollments); the hot read is `{data['hot_content_id']}`"
        + (f"; search asks `{data['search_query']}`" if "search_query" in data else "")
        + ".\n",
        _indexing(data),
        "- **Gateway**: `POST /graphql` with the text of `bench/queries/<shape>.graphql`; `ENVIRONMENT=test`, "
        "rate limits off, the outbox worker out of process, round-trip stats on. Only the dashboard and "
        "submit send a bearer token.\n",
        "- **Floor** (`bench/floor.py`): a bare Starlette app on the same server (uvicorn, one worker, same "
        "host, info log) and drivers (asyncpg pool, PyMongo async client, httpx for Typesense, orjson) that "
        "returns the same data with the fewest queries, by hand: no GraphQL, no DataLoaders, no auth, no ORM. "
        "Before loading, each shape's floor answer is compared with the gateway's `data` (`bench/equivalence.py`). "
        "Search's floor makes one Typesense multi-search (the gateway's parameters without facets, which the shape "
        "does not read) beside the query's embedding and one pgvector statement that the model's HNSW index "
        "answers, fuses them as the gateway does, then reads the records in one statement per store.\n",
        _peers_measured(meta),
        f"- **Closed loop**: wrk 4.1 with c connections (threads = min(c, 2)) for {meta['duration_s']} s, "
        "or longer where a saturated server needs more time for c requests: each run lasts at least two "
        "rounds of c requests at the throughput of the run before it, so the slowest shapes still complete "
        "enough requests (the s and requests columns show what each run did). "
        + (
            f"Each server is first warmed up for {meta['warmup_s']} s at the highest concurrency. "
            if meta["warmup_s"]
            else "No warm-up (smoke run). "
        )
        + ("Gateway, floor, then the peers (Apollo, Strawberry)" if meta.get("peers") else "Gateway, then floor")
        + ", for each concurrency; before every run the server is left to finish what "
        f"the previous one left in flight (until it uses under {IDLE_CPU_SHARE:.0%} of a core).\n",
        "- **Fixed rate (approximate)**: wrk 4.1 has no rate option; a Lua `delay()` hands out send slots "
        f"1/rate apart over {meta['fixed_concurrency']} connections (`bench/lua/pace.lua`). The rate is "
        f"the lower of {meta['rate_ceiling']:g} req/s and half the gateway's best closed-loop throughput "
        "for the shape, the same for every server, so it shows latency under a load all can carry. "
        "Latency is timed from the actual send, so a server that falls behind is not fully penalised "
        "(coordinated omission); the achieved rate is in the req/s column.\n",
        f"- **Latency** p50/p95/p99 from wrk's histogram; **errors**: socket errors, timeouts ({REQUEST_TIMEOUT_S} s; "
        "the gateway answers 504 itself after 10 s), non-2xx statuses, and 200 responses whose body carries "
        "GraphQL `errors` (counted by the Lua script).\n",
        "- **CPU ms/req**: user + system CPU time of the server process (psutil) from the start of the run "
        "until it has finished the requests still in flight when wrk stopped, divided by all those requests "
        "(completed + one per connection); **peak RSS**: its resident memory, sampled every "
        f"{RSS_SAMPLE_INTERVAL_S * 1000:.0f} ms meanwhile.\n",
        "- **Submit** (gateway only; there is no write floor): every request submits a different open attempt "
        "with every answer right, made just before the run the way `startQuizAttempt` makes them, for four "
        "seeded students (`bench/submissions.py`).\n",
        "- wrk, PostgreSQL, MongoDB and the server under test share the same cores, so absolute numbers "
        "belong to this machine; the ratios are the point.\n\n",
        "## Targets\n\n",
        "| target | measured | |\n|---|---|---|\n",
        *(f"| {row.target} | {row.measured} | {_met(row.met)} |\n" for row in evaluate(results)),
        "\n",
        "## Round trips per request\n\n",
        "From one probe request per shape (`extensions.roundTrips`: statements, commands and Typesense calls); "
        "the floor's "
        "are by construction.\n\n",
        _round_trips(probes),
        "\n",
    ]
    if sizes:
        parts += [f"Response sizes (JSON bytes of `data`, compact), the gateway's and the others': {sizes_text}.\n\n"]
    parts += [f"## Results\n\n![Latency and throughput per shape]({png_name})\n\n"]
    for shape in (*shapes.READ_SHAPES, shapes.WRITE_SHAPE, shapes.TRACK_SHAPE):
        if any(r["shape"] == shape for r in runs):
            suffix = " (gateway only)" if shape in (shapes.WRITE_SHAPE, shapes.TRACK_SHAPE) else ""
            parts += [f"### {shape}{suffix}\n\n", _shape_table(runs, shape), "\n"]
            if shape == shapes.TRACK_SHAPE and shape in probes:
                parts += [_track(probes[shape])]
    parts += ["## Changes and their effect\n\n", CHANGES.read_text()]
    return "".join(parts)


def render(results: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    png = chart.render(results["runs"], [*shapes.READ_SHAPES, shapes.WRITE_SHAPE], out / PNG)
    page = out / MARKDOWN
    page.write_text(markdown(results, PNG))
    return page, png


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description="Re-render the benchmark report.")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--out", type=Path, default=DOCS)
    args = parser.parse_args(argv)
    page, png = render(json.loads(args.results.read_text()), args.out)
    print(f"Wrote {page} and {png}.")


if __name__ == "__main__":
    main()
