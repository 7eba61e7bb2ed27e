"""COPY against a multi-row INSERT for analytics events: rows per second each writes into
`analytics_events`, in batches of the sizes the buffer flushes (learnhub/analytics/buffer.py).

    python -m bench.analytics_copy [--batches 50]

Starts the embedded servers in a temporary folder, migrates, writes the same events both ways
(alternating, so neither gets a warmer cache), and prints the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from learnhub.analytics.catalog import COLUMNS, Event
from learnhub.core.settings import Settings
from learnhub.datasources.postgres import analytics as rows
from learnhub.datasources.postgres.engine import make_engine
from learnhub.embedded import running_cluster
from learnhub.migrations.migrate import migrate_all

BATCH_SIZES = (100, 1000)


def _events(count: int) -> list[tuple[object, ...]]:
    now = datetime.now(UTC)
    return [
        Event(
            name="course_viewed",
            source="client",
            user_id=uuid.uuid4(),
            course_id="course:rest-api-design",
            entity_id="course:rest-api-design",
            occurred_at=now,
            received_at=now,
            context={"screen": "catalogue", "position": n, "query": "postgres pooling", "app": "web 4.2.0"},
        ).record()
        for n in range(count)
    ]


async def measure(settings: Settings, batches: int) -> dict[int, dict[str, float]]:
    engine = make_engine(settings)
    results: dict[int, dict[str, float]] = {}
    try:
        for size in BATCH_SIZES:
            times: dict[str, list[float]] = {"copy": [], "insert": []}
            for _ in range(batches):
                for name, write in (("copy", rows.copy_events), ("insert", rows.insert_rows)):
                    batch = _events(size)
                    began = time.perf_counter()
                    await write(engine, COLUMNS, batch)
                    times[name].append(time.perf_counter() - began)
            results[size] = {name: size / statistics.median(spent) for name, spent in times.items()}
    finally:
        await engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.analytics_copy")
    parser.add_argument("--batches", type=int, default=50)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="learnhub-copy-") as tmp,
        running_cluster(Path(tmp), durable=False) as cluster,
    ):
        settings = Settings(**{k.lower(): v for k, v in cluster.env().items()}, environment="test")
        migrate_all(settings)
        for size, rates in asyncio.run(measure(settings, args.batches)).items():
            print(f"batches of {size:>5}: COPY {rates['copy']:>9,.0f} rows/s   INSERT {rates['insert']:>9,.0f} rows/s")


if __name__ == "__main__":
    main()
