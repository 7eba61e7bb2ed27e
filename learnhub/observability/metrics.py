"""The Prometheus metrics, defined once per process.

With `PROMETHEUS_MULTIPROC_DIR` set before this module is imported (`learnhub serve --workers N`
sets it up), every worker writes its values to files there and `/metrics` sums them; gauges say
how (`livesum`: open sockets of live workers; `max`: the outbox figures every worker reads alike).
Counters and histograms cost about a microsecond per update (bench/overhead.py), so they are on
unless `METRICS_ENABLED=false`; `enabled` is read before any work is done for them.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

enabled = True

# Request latency, in seconds: the hot reads answer in about a millisecond, a dashboard in tens.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A store call: a primary-key read is a few hundred microseconds.
STORE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# DataLoader keys per batch, up to loaders/batching.MAX_BATCH_SIZE.
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

REQUESTS = Counter("learnhub_requests", "GraphQL HTTP requests by operation name and outcome", ["operation", "outcome"])
REQUEST_SECONDS = Histogram(
    "learnhub_request_duration_seconds",
    "Time from the request's arrival to its answer being sent",
    ["operation_type"],
    buckets=LATENCY_BUCKETS,
)
ERRORS = Counter("learnhub_graphql_errors", "GraphQL errors sent, by extensions.code", ["code"])
STORE_SECONDS = Histogram(
    "learnhub_store_call_duration_seconds", "One round trip to a store", ["store"], buckets=STORE_BUCKETS
)
STORE_ERRORS = Counter("learnhub_store_call_errors", "Store calls that failed", ["store"])
BATCH_SIZE = Histogram("learnhub_dataloader_batch_size", "Keys per DataLoader batch", buckets=BATCH_BUCKETS)
OUTBOX_LAG = Gauge(
    "learnhub_outbox_lag_seconds",
    "Age of the oldest outbox event that is due and not yet processed (0 when none is waiting)",
    multiprocess_mode="max",
)
OUTBOX_DEAD_LETTERS = Gauge(
    "learnhub_outbox_dead_letters", "Outbox events given up after their last attempt", multiprocess_mode="max"
)
RATE_LIMIT_REFUSALS = Counter("learnhub_rate_limit_refusals", "Requests refused by a rate limit", ["bucket"])
# Set by the live-updates endpoint when a socket opens and closes (`inc()` / `dec()`).
LIVE_SOCKETS = Gauge("learnhub_live_sockets", "Open live-update sockets", multiprocess_mode="livesum")


def batch(size: int) -> None:
    """One DataLoader batch of `size` keys."""
    if enabled:
        BATCH_SIZE.observe(size)


def refused(bucket_key: str) -> None:
    """A rate-limit refusal; labelled by the bucket's kind (`rl:ip`, `rl:user`, ...), never its key."""
    if enabled:
        RATE_LIMIT_REFUSALS.labels(":".join(bucket_key.split(":", 2)[:2])).inc()


def error(code: str) -> None:
    if enabled:
        ERRORS.labels(code).inc()
