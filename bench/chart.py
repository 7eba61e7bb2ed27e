"""docs/benchmarks.png: latency percentiles and throughput per shape, the gateway next to the floor and the peers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: no display on CI or servers

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

Run = dict[str, Any]
PERCENTILES = ("p50", "p95", "p99")
# Per server, darkest first: its throughput bar and p50, then p95 and p99. Bars go in this order;
# a server with no run for a shape (results from before the peers, the peers on search) is left out.
SHADES = {
    "gateway": ("#1f4e9c", "#4f7fd0", "#9bb8ea"),
    "floor": ("#c0561b", "#e8874b", "#f5c09b"),
    "apollo": ("#2e7d32", "#66bb6a", "#b9e0bb"),
    "strawberry": ("#8e2470", "#c75aa8", "#e8b4da"),
}
SERVERS = tuple(SHADES)
COLORS = {
    (server, pct): shade for server, shades in SHADES.items() for pct, shade in zip(PERCENTILES, shades, strict=True)
}
SERVER_COLORS = {server: shades[0] for server, shades in SHADES.items()}


def load_label(run: Run) -> str:
    if run["mode"] == "fixed":
        return f"~{run['target_rate']:g}/s\n(c={run['concurrency']})"
    return f"c={run['concurrency']}"


def _loads(runs: Sequence[Run]) -> list[str]:
    labels: list[str] = []
    for run in runs:
        if (label := load_label(run)) not in labels:
            labels.append(label)
    return labels


def _by(runs: Sequence[Run], server: str, label: str) -> Run | None:
    return next((r for r in runs if r["target"] == server and load_label(r) == label), None)


def _latency(ax: Axes, shape: str, runs: Sequence[Run], servers: Sequence[str]) -> None:
    loads = _loads(runs)
    width = 0.8 / (len(servers) * len(PERCENTILES))
    for s_index, server in enumerate(servers):
        for p_index, pct in enumerate(PERCENTILES):
            offset = (s_index * len(PERCENTILES) + p_index) * width - 0.4 + width / 2
            values = [(_by(runs, server, load) or {}).get("latency_ms", {}).get(pct, 0.0) for load in loads]
            xs = [i + offset for i in range(len(loads))]
            ax.bar(xs, values, width, color=COLORS[(server, pct)], label=f"{server} {pct}")
    ax.set_xticks(range(len(loads)), loads)
    ax.set_yscale("log")  # the floor is often an order of magnitude below the gateway
    highest = max((r["latency_ms"]["p99"] for r in runs), default=0.0)
    if highest > 0:
        ax.set_ylim(top=highest * 30)  # headroom above the bars for the legend
    ax.set_ylabel("latency, ms (log)")
    ax.set_title(f"{shape}: latency percentiles")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=len(servers), loc="upper left")


def _throughput(ax: Axes, shape: str, runs: Sequence[Run], servers: Sequence[str]) -> None:
    loads = _loads(runs)
    width = 0.8 / len(servers)
    for s_index, server in enumerate(servers):
        values = [(_by(runs, server, load) or {}).get("rps", 0.0) for load in loads]
        xs = [i + s_index * width - 0.4 + width / 2 for i in range(len(loads))]
        bars = ax.bar(xs, values, width, color=SERVER_COLORS[server], label=server)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=2)
    ax.set_xticks(range(len(loads)), loads)
    ax.set_ylabel("requests/s")
    ax.set_title(f"{shape}: throughput")
    ax.grid(axis="y", alpha=0.3)
    ax.margins(y=0.15)
    ax.legend(fontsize=7, loc="upper left")


def render(runs: Sequence[Run], shapes: Sequence[str], path: Path) -> Path:
    fig, axes = plt.subplots(len(shapes), 2, figsize=(13, 3.4 * len(shapes)), squeeze=False)
    for row, shape in enumerate(shapes):
        mine = [r for r in runs if r["shape"] == shape]
        servers = [s for s in SERVERS if any(r["target"] == s for r in mine)]
        _latency(axes[row][0], shape, mine, servers)
        _throughput(axes[row][1], shape, mine, servers)
    named = [s for s in SERVERS[1:] if any(r["target"] == s for r in runs)]
    title = f"LearnHub gateway vs {', '.join(named) or 'floor'} (wrk, closed loop at c connections; ~N/s: paced)"
    fig.suptitle(title, fontsize=12)
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
