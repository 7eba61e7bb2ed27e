"""Traces reach a real OTLP/HTTP receiver: a span per request with its operation, child spans per
store call, and the trace id in error extensions and in the request's JSON log line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest

from learnhub.embedded.otlp import OtlpReceiver, ReceivedSpan
from learnhub.observability import requests as observed_requests
from learnhub.observability import tracing
from learnhub.observability.logs import JsonFormatter
from tests.support.client import post_graphql
from tests.support.logs import captured_logs
from tests.support.servers import GatewayFactory, LiveServer

HOT = "query Hot($contentId: String!) { course(contentId: $contentId) { contentId title lessonCount } }"
COURSE = "course:rest-api-design"
SERVER, CLIENT = 2, 3  # OTLP SpanKind numbers


@pytest.fixture(scope="module")
def receiver() -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def traced(receiver: OtlpReceiver, gateway_factory: GatewayFactory) -> Iterator[LiveServer]:
    """A gateway whose process traces to the receiver, as the standard variables configure it."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.endpoint)
        env.setenv("OTEL_SERVICE_NAME", "learnhub-test")
        server = gateway_factory(public_cache_enabled=False, request_log=True)
        try:
            assert tracing.state.tracer is not None
            yield server
        finally:
            tracing.shutdown()
            observed_requests.log_enabled = False


def _spans_of(receiver: OtlpReceiver, trace_id: str) -> list[ReceivedSpan]:
    assert tracing.flush(10_000)  # the batch processor's export is done when this returns
    return receiver.trace(trace_id)


def _request_span(spans: list[ReceivedSpan]) -> ReceivedSpan:
    (span,) = [s for s in spans if s.kind == SERVER]
    return span


async def test_a_request_span_carries_the_operation_and_its_store_calls_are_children(
    traced: LiveServer, receiver: OtlpReceiver
) -> None:
    async with httpx.AsyncClient(base_url=traced.url) as http:
        response = await post_graphql(
            http,
            HOT,
            {"contentId": COURSE},
            operation_name="Hot",
            headers={"apollographql-client-name": "web", "x-request-id": "trace-test-1"},
        )
    assert response.status_code == 200
    assert response.json()["data"]["course"]["contentId"] == COURSE
    assert tracing.flush(10_000)
    (request,) = [s for s in receiver.spans if s.attributes.get("learnhub.request_id") == "trace-test-1"]
    spans = receiver.trace(request.trace_id)

    assert request.name == "query Hot"
    assert request.resource["service.name"] == "learnhub-test"
    attributes = request.attributes
    assert attributes["graphql.operation.name"] == "Hot"
    assert attributes["graphql.operation.type"] == "query"
    assert attributes["graphql.document.sha256"] == hashlib.sha256(HOT.encode()).hexdigest()
    assert attributes["graphql.client.name"] == "web"
    assert attributes["http.response.status_code"] == 200
    assert attributes["learnhub.round_trips.postgres"] == 1
    assert attributes["learnhub.round_trips.mongodb"] == 1
    children = [s for s in spans if s.parent_span_id == request.span_id]
    # The read, its content, and the rate limit: one EVALSHA, or on a Redis that has not seen the
    # script yet (this module run alone) EVALSHA, SCRIPT LOAD and EVALSHA again.
    redis_calls = sorted(s.name for s in children if s.attributes["db.system"] == "redis")
    assert redis_calls in (["redis EVALSHA"], ["redis EVALSHA", "redis EVALSHA", "redis SCRIPT LOAD"])
    systems = sorted(s.attributes["db.system"] for s in children if s.attributes["db.system"] != "redis")
    assert systems == ["mongodb", "postgresql"]
    assert all(s.kind == CLIENT for s in children)
    (sql,) = [s for s in children if s.attributes["db.system"] == "postgresql"]
    assert sql.name == "postgres SELECT"
    assert "course" in sql.attributes["db.statement"].lower()


async def test_the_callers_trace_is_continued(traced: LiveServer, receiver: OtlpReceiver) -> None:
    trace_id, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    async with httpx.AsyncClient(base_url=traced.url) as http:
        await post_graphql(http, HOT, {"contentId": COURSE}, headers={"traceparent": f"00-{trace_id}-{parent}-01"})
    request = _request_span(_spans_of(receiver, trace_id))
    assert request.parent_span_id == parent
    assert request.name == "query Hot"  # named by the document when operationName is not sent


async def test_an_error_carries_the_trace_id_and_the_log_line_too(traced: LiveServer, receiver: OtlpReceiver) -> None:
    with captured_logs("learnhub.request", level=20) as logs:
        async with httpx.AsyncClient(base_url=traced.url) as http:
            response = await post_graphql(
                http, "query Broken { course(contentId: 1) { nope } }", headers={"x-request-id": "trace-err-1"}
            )
    (error, *_) = response.json()["errors"]
    trace_id = error["extensions"]["traceId"]
    assert len(trace_id) == 32
    request = _request_span(_spans_of(receiver, trace_id))
    assert request.attributes["learnhub.request_id"] == "trace-err-1"

    (record,) = [r for r in logs.records if getattr(r, "fields", {}).get("request_id") == "trace-err-1"]
    line = json.loads(JsonFormatter().format(record))
    assert line["trace_id"] == trace_id
    assert line["operation"] == "Broken"
    assert line["status"] == response.status_code
    assert line["outcome"] in {"error", "refused"}
    assert line["errors"] >= 1
    assert line["level"] == "INFO"
    assert isinstance(line["duration_ms"], float)


async def test_a_request_refused_before_execution_carries_its_trace_id(
    traced: LiveServer, receiver: OtlpReceiver
) -> None:
    """A cross-site form post is refused before any GraphQL runs; its error names the trace too."""
    async with httpx.AsyncClient(base_url=traced.url) as http:
        response = await http.post(
            "/graphql",
            content=json.dumps({"query": "{ __typename }"}),
            headers={"content-type": "text/plain", "x-request-id": "trace-refused-1"},
        )
    (error,) = response.json()["errors"]
    assert response.status_code == 400
    assert error["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    trace_id = error["extensions"]["traceId"]
    request = _request_span(_spans_of(receiver, trace_id))
    assert request.attributes["learnhub.request_id"] == "trace-refused-1"
