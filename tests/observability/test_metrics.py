"""`/metrics`: the counters after real requests, the production guard, the outbox gauges and
rate-limit refusals against the real stores."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import insert

from learnhub.datasources.postgres.tables import outbox_events, utcnow
from learnhub.datasources.ratelimit import Bucket
from learnhub.datasources.stores import Stores
from learnhub.observability import metrics
from learnhub.worker import _measure_outbox
from tests.support.client import post_graphql
from tests.support.data import unique
from tests.support.servers import GatewayFactory, LiveServer

HOT = "query MetricsHot($contentId: String!) { course(contentId: $contentId) { contentId title } }"
TOKEN = "m" * 40


def samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """Every sample called `name` in the exposition, by its sorted labels."""
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def value(text: str, name: str, **labels: str) -> float:
    return samples(text, name).get(tuple(sorted(labels.items())), 0.0)


@pytest.fixture(scope="module")
def guarded(gateway_factory: GatewayFactory) -> LiveServer:
    return gateway_factory(environment="production", metrics_token=SecretStr(TOKEN))


@pytest.fixture(scope="module")
def private_network(gateway_factory: GatewayFactory) -> LiveServer:
    return gateway_factory(environment="production", metrics_allowed_networks=["127.0.0.0/8"])


@pytest.fixture
async def client(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        yield http


async def test_requests_errors_stores_and_batches_are_counted(client: httpx.AsyncClient) -> None:
    before = (await client.get("/metrics")).text
    for _ in range(3):
        response = await post_graphql(client, HOT, {"contentId": "course:rest-api-design"}, operation_name="MetricsHot")
        assert response.status_code == 200
    await post_graphql(client, "query MetricsBroken { nope }")
    after_response = await client.get("/metrics")
    assert after_response.status_code == 200
    assert after_response.headers["content-type"].startswith("text/plain")
    after = after_response.text

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("learnhub_requests_total", operation="MetricsHot", outcome="ok") == 3
    assert grew("learnhub_requests_total", operation="MetricsBroken", outcome="error") == 1
    assert grew("learnhub_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert grew("learnhub_request_duration_seconds_count", operation_type="query") >= 4
    # The public cache may answer the repeats; the first one reached PostgreSQL at least.
    assert grew("learnhub_store_call_duration_seconds_count", store="postgres") >= 1
    assert grew("learnhub_store_call_duration_seconds_count", store="redis") >= 4  # one rate-limit call each
    assert "learnhub_dataloader_batch_size_bucket" in after
    assert "learnhub_live_sockets" in after


async def test_production_metrics_refuse_without_the_token(guarded: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=guarded.url, timeout=30) as http:
        assert (await http.get("/metrics")).status_code == 403
        wrong = await http.get("/metrics", headers={"authorization": "Bearer " + "x" * 40})
        assert wrong.status_code == 403
        assert "learnhub_requests_total" not in wrong.text
        right = await http.get("/metrics", headers={"authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 200
        assert "learnhub_requests_total" in right.text


async def test_production_metrics_answer_a_peer_in_the_allowed_networks(private_network: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=private_network.url, timeout=30) as http:
        assert (await http.get("/metrics")).status_code == 200
        # Through a proxy uvicorn trusts (127.0.0.1 here), the client is the forwarded address.
        relayed = await http.get("/metrics", headers={"x-forwarded-for": "203.0.113.9"})
    assert relayed.status_code == 403


async def test_rate_limit_refusals_are_counted_by_bucket_kind(live_stores: Stores) -> None:
    def refusals() -> float:
        return REGISTRY.get_sample_value("learnhub_rate_limit_refusals_total", {"bucket": "rl:test"}) or 0.0

    before = refusals()
    bucket = Bucket(f"rl:test:{uuid.uuid4().hex}", 1, 0.001)
    assert (await live_stores.limiter.check([bucket])).allowed
    assert not (await live_stores.limiter.check([bucket])).allowed
    assert not (await live_stores.limiter.check([bucket])).allowed
    assert refusals() - before == 2


async def test_the_outbox_gauges_read_dead_letters(live_stores: Stores) -> None:
    async with live_stores.engine.begin() as conn:
        await conn.execute(
            insert(outbox_events).values(
                id=uuid.uuid4(), kind=unique("metrics.dead"), payload={}, attempts=5, failed_at=utcnow()
            )
        )
    await _measure_outbox(live_stores)
    dead = REGISTRY.get_sample_value("learnhub_outbox_dead_letters")
    assert dead is not None
    assert dead >= 1
    assert (REGISTRY.get_sample_value("learnhub_outbox_lag_seconds") or 0.0) >= 0
    assert metrics.enabled


def _sample(name: str, store: str) -> float:
    return REGISTRY.get_sample_value(name, {"store": store}) or 0.0


async def test_every_redis_command_and_s3_call_is_a_store_call(live_stores: Stores) -> None:
    calls, errors = "learnhub_store_call_duration_seconds_count", "learnhub_store_call_errors_total"
    redis_before, s3_before, s3_errors_before = _sample(calls, "redis"), _sample(calls, "s3"), _sample(errors, "s3")
    key = f"metrics-test:{unique('k')}"

    await live_stores.redis.set(key, b"1", ex=60)
    assert await live_stores.redis.get(key) == b"1"
    assert await live_stores.storage.head(f"no/such/{unique('object')}") is None

    # Other gateways in this process may call the stores meanwhile: at least these calls are counted.
    assert _sample(calls, "redis") >= redis_before + 2
    assert _sample(calls, "s3") >= s3_before + 1
    assert _sample(errors, "s3") == s3_errors_before  # a missing object is an answer, not a failure


async def test_an_unhandled_error_is_counted_as_failed_on_both_paths(gateway_factory: GatewayFactory) -> None:
    """A fault no handler expects is a plain 500 from the server's error handling; it still counts
    as a failed request, on the lean path (a JSON POST) and the general one (a GET)."""
    server = gateway_factory()
    view = server.app._view

    async def broken_context(*_: object, **__: object) -> None:
        raise RuntimeError("an unexpected fault")

    def failed() -> float:
        labels = {"operation": "anonymous", "outcome": "failed"}
        return REGISTRY.get_sample_value("learnhub_requests_total", labels) or 0.0

    before = failed()
    view.get_context = broken_context  # the fault: every request now fails before execution
    try:
        # A connection each: the server closes a connection after an unhandled error.
        async with httpx.AsyncClient(base_url=server.url) as http:
            lean = await http.post("/graphql", json={"query": "{ __typename }"})
        async with httpx.AsyncClient(base_url=server.url) as http:
            general = await http.get("/graphql", params={"query": "{ __typename }"})
    finally:
        del view.get_context
    assert (lean.status_code, general.status_code) == (500, 500)
    assert "RuntimeError" not in lean.text + general.text  # no trace to the client
    assert failed() - before == 2
