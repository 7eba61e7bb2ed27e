"""Search quality on the labelled queries of bench/search_queries.py: recall@5, recall@10 and
MRR@10 per mode (KEYWORD, SEMANTIC, HYBRID) and per query category.

    python -m bench.search_eval                     # the configured settings
    python -m bench.search_eval --grid embedding_dimension=64,128,256 search_chunk_tokens=60,120,250

Starts the embedded stores in a temporary folder, seeds the demo catalogue, indexes it with
each configuration asked for (any settings, every combination), and asks every query as a
signed-out student. A query's recall@k is the share of its relevant ids in the first k hits;
its reciprocal rank is 1 / the rank of the first relevant hit (0 past 10). The tables are
markdown, for docs/search.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.search_queries import QUERIES, LabelledQuery
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.courses import CourseScope
from learnhub.datasources.stores import Stores
from learnhub.embedded.cluster import running_cluster
from learnhub.migrations.migrate import migrate_all
from learnhub.search.maintenance import reindex
from learnhub.search.query import Mode, SearchQuery, run
from learnhub.seed.demo import seed_demo_from

MODES: tuple[Mode, ...] = ("keyword", "semantic", "hybrid")


@dataclass(frozen=True)
class Score:
    recall5: float
    recall10: float
    mrr10: float
    n: int


def score(query: LabelledQuery, ranked: list[str]) -> tuple[float, float, float]:
    relevant = set(query.relevant)
    r5 = len(relevant & set(ranked[:5])) / len(relevant)
    r10 = len(relevant & set(ranked[:10])) / len(relevant)
    first = next((i for i, key in enumerate(ranked[:10], start=1) if key in relevant), None)
    return r5, r10, (1 / first if first else 0.0)


def mean(rows: list[tuple[float, float, float]]) -> Score:
    r5, r10, mrr = (statistics.fmean(col) for col in zip(*rows, strict=True))
    return Score(r5, r10, mrr, len(rows))


async def evaluate(stores: Stores) -> tuple[dict[tuple[str, str], Score], dict[str, float], list[str]]:
    """(mode, category or "all") -> score; mode -> median milliseconds per query; misses."""
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    timings: dict[str, list[float]] = defaultdict(list)
    misses: list[str] = []
    for mode in MODES:
        for query in QUERIES:
            began = time.perf_counter()
            # The API's own window of candidates (fusion depends on it), then the first ten.
            found = await run(stores, SearchQuery(query.text, mode), CourseScope())
            timings[mode].append((time.perf_counter() - began) * 1000)
            ranked = [hit.content_id for hit in found.hits[:10]]
            values = score(query, ranked)
            results[(mode, query.category)].append(values)
            results[(mode, "all")].append(values)
            results[(mode, "finds a " + query.relevant[0].split(":", 1)[0])].append(values)
            if mode == "hybrid" and values[0] < 1:
                misses.append(f"{query.text!r} -> {ranked[:5]} (wanted {', '.join(query.relevant)})")
    scores = {key: mean(rows) for key, rows in results.items()}
    return scores, {mode: statistics.median(ms) for mode, ms in timings.items()}, misses


async def configure(settings: Settings) -> tuple[Stores, float]:
    """Stores for `settings` with the catalogue indexed afresh under its model and chunk size."""
    stores = await Stores.open(settings)
    await stores.bind_documents()
    async with stores.engine.begin() as conn:
        # Each configuration embeds from scratch, so chunk sizes are compared fairly.
        await conn.execute(text("DELETE FROM lesson_chunks"))
        await conn.execute(text("DELETE FROM embedding_models"))
    began = time.perf_counter()
    await reindex(stores)
    return stores, time.perf_counter() - began


def table(title: str, scores: dict[tuple[str, str], Score], timings: dict[str, float]) -> str:
    categories = ["all", "exact", "misspelled", "paraphrase", "finds a lesson", "finds a course", "finds a question"]
    lines = [f"### {title}", "", "| mode | category | queries | recall@5 | recall@10 | MRR@10 | median ms |"]
    lines.append("|---|---|---|---|---|---|---|")
    for mode in MODES:
        for category in categories:
            if (mode, category) not in scores:
                continue
            s = scores[(mode, category)]
            ms = f"{timings[mode]:.1f}" if category == "all" else ""
            lines.append(
                f"| {mode.upper()} | {category} | {s.n} | {s.recall5:.3f} | {s.recall10:.3f} | {s.mrr10:.3f} | {ms} |"
            )
    return "\n".join(lines)


def _number(value: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def grid(pairs: list[str]) -> list[dict[str, Any]]:
    """`name=v1,v2` settings -> every combination, as Settings overrides."""
    axes = []
    for pair in pairs:
        name, _, values = pair.partition("=")
        if name not in Settings.model_fields or not values:
            raise SystemExit(f"--grid wants SETTING=VALUE[,VALUE...] of a known setting, not {pair!r}")
        axes.append([(name, _number(value)) for value in values.split(",")])
    return [dict(combination) for combination in itertools.product(*axes)] or [{}]


async def main_async(args: argparse.Namespace, base: dict[str, Any]) -> None:
    await seed_demo_from(Settings(**base, environment="test"))
    for overrides in grid(args.grid):
        settings = Settings(**base, environment="test", **overrides)
        stores, seconds = await configure(settings)
        try:
            scores, timings, misses = await evaluate(stores)
        finally:
            await stores.close()
        shown = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "the defaults"
        title = (
            f"{settings.embedding_provider} {settings.embedding_model} {settings.embedding_dimension}d, "
            f"chunks of {settings.search_chunk_tokens} tokens; {shown} (indexed in {seconds:.2f} s)"
        )
        print(table(title, scores, timings), flush=True)
        if args.misses:
            print("\nHYBRID misses at 5:\n" + "\n".join(f"- {m}" for m in misses))
        print(flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--grid",
        nargs="*",
        default=[],
        metavar="SETTING=V1,V2",
        help="settings to compare, every combination (e.g. embedding_dimension=64,256 search_chunk_tokens=60,120)",
    )
    parser.add_argument("--misses", action="store_true", help="list the HYBRID queries missed at 5")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    print(f"{len(QUERIES)} labelled queries.\n", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="learnhub-search-eval-") as tmp,
        running_cluster(Path(tmp), durable=False) as cluster,
    ):
        base: dict[str, Any] = {k.lower(): v for k, v in cluster.env().items()}
        migrate_all(Settings(**base, environment="test"))
        asyncio.run(main_async(args, base))


if __name__ == "__main__":
    main()
