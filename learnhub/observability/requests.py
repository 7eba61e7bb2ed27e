"""One GraphQL HTTP request: its span, its metrics and its log line.

The view calls `begin` when a request arrives (both the general path and the lean path build
their Request in one place) and `finish` when the answer is sent; the steps between add what
they learn (`note_operation`, `note_error`) to the observation of the current task. With
tracing, metrics and the request log all off, `begin` returns None after one check.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Mapping
from contextvars import ContextVar, Token
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from learnhub.observability import logs, metrics, tracing

request_log = logging.getLogger(logs.REQUEST_LOGGER)
log_enabled = False

# Operation names come from clients: past this many distinct names a process labels the rest
# `other`, so a client cannot grow the metrics without bound.
MAX_OPERATION_LABELS = 200
_operation_labels: set[str] = set()
_current: ContextVar[Observation | None] = ContextVar("learnhub_observation", default=None)
_FIRST_OPERATION = re.compile(r"^(?:\s|,|#[^\n]*)*(query|mutation|subscription|\{)\s*([_A-Za-z]\w*)?")
CLIENT_HEADERS = ("apollographql-client-name", "client")


class Observation:
    __slots__ = (
        "client",
        "errors",
        "operation",
        "operation_type",
        "request_id",
        "span",
        "started",
        "token",
    )

    def __init__(self, request_id: str, client: str | None) -> None:
        self.started = time.perf_counter()
        self.request_id = request_id
        self.client = client
        self.operation: str | None = None
        self.operation_type = "unknown"
        self.errors = 0
        self.span: Span | None = None
        self.token: Token[otel_context.Context] | None = None


def active() -> bool:
    return metrics.enabled or log_enabled or tracing.state.tracer is not None


def begin(request_id: str, headers: Mapping[str, str]) -> Observation | None:
    """A request arrives: its span (a child of the caller's `traceparent`, if any) becomes current."""
    if not (metrics.enabled or log_enabled or tracing.state.tracer is not None):
        return None
    client = next((headers[name] for name in CLIENT_HEADERS if name in headers), None)
    observation = Observation(request_id, client[:100] if client else None)
    tracer = tracing.state.tracer
    if tracer is not None:
        # Only a caller that sends `traceparent` has a trace to continue; the propagators cost
        # more than the span otherwise.
        parent = propagate.extract(headers) if "traceparent" in headers else None
        span = tracer.start_span(
            "graphql.request", context=parent, kind=SpanKind.SERVER, attributes={"learnhub.request_id": request_id}
        )
        if span.is_recording():
            # A request the sampler left out is not made current: its store calls make no spans,
            # and its errors and log line name no trace nobody can look up.
            if client:
                span.set_attribute("graphql.client.name", observation.client or "")
            observation.span = span
            observation.token = otel_context.attach(trace.set_span_in_context(span))
    _current.set(observation)
    return observation


_read: dict[tuple[str, str | None], tuple[str, str | None]] = {}
# Documents are few and repeat (the same reasoning as the document cache): remember this many.
MAX_READ_DOCUMENTS = 1000
_requests: dict[tuple[str, str], Any] = {}
_latency: dict[str, Any] = {}


def _operation(query: str, operation_name: str | None) -> tuple[str, str | None]:
    """The operation's type and name (the document's first operation's name when not given)."""
    key = (query, operation_name)
    found = _read.get(key)
    if found is None:
        kind = operation_type(query, operation_name)
        if not operation_name:
            # A document of one named operation is usually sent without `operationName`.
            first = _FIRST_OPERATION.match(query)
            operation_name = first[2] if first is not None and first[1] != "{" else None
        if len(_read) >= MAX_READ_DOCUMENTS:
            _read.clear()
        found = _read[key] = (kind, operation_name)
    return found


def operation_type(query: str, operation_name: str | None) -> str:
    """`query`, `mutation` or `subscription`, read from the text without parsing it."""
    if operation_name:
        named = re.search(rf"\b(query|mutation|subscription)\s+{re.escape(operation_name)}\b", query)
        if named:
            return named[1]
    first = _FIRST_OPERATION.match(query)
    if first is None:
        return "unknown"
    return "query" if first[1] == "{" else first[1]


def note_operation(query: str | None, operation_name: str | None) -> None:
    """The operation the request runs (after a persisted query has been resolved to its text)."""
    observation = _current.get()
    if observation is None or query is None:
        return
    observation.operation_type, operation_name = _operation(query, operation_name)
    observation.operation = operation_name
    span = observation.span
    if span is not None:
        span.set_attribute("graphql.operation.type", observation.operation_type)
        if operation_name:
            span.set_attribute("graphql.operation.name", operation_name)
        span.set_attribute("graphql.document.sha256", hashlib.sha256(query.encode()).hexdigest())
        span.update_name(f"{observation.operation_type} {operation_name or 'anonymous'}")


def note_error(code: str) -> None:
    """An error sent to the client, by its `extensions.code`."""
    metrics.error(code)
    observation = _current.get()
    if observation is not None:
        observation.errors += 1


def _operation_label(name: str | None) -> str:
    if name is None:
        return "anonymous"
    if name in _operation_labels:
        return name
    if len(_operation_labels) < MAX_OPERATION_LABELS:
        _operation_labels.add(name)
        return name
    return "other"


def outcome(status: int, errors: int) -> str:
    if status >= 500:
        return "failed"
    if status >= 400:
        return "refused"
    return "error" if errors else "ok"


def finish(observation: Observation | None, status: int, round_trips: Mapping[str, int] | None) -> None:
    """The answer is sent: count it, end the span, write the request's log line."""
    if observation is None:
        return
    seconds = time.perf_counter() - observation.started
    result = outcome(status, observation.errors)
    if metrics.enabled:
        label = (_operation_label(observation.operation), result)
        counter = _requests.get(label)
        if counter is None:
            counter = _requests[label] = metrics.REQUESTS.labels(*label)
        counter.inc()
        latency = _latency.get(observation.operation_type)
        if latency is None:
            latency = _latency[observation.operation_type] = metrics.REQUEST_SECONDS.labels(observation.operation_type)
        latency.observe(seconds)
    trips = {store: count for store, count in (round_trips or {}).items() if count}
    trace_id = None
    span = observation.span
    if span is not None:
        trace_id = format(span.get_span_context().trace_id, "032x")
        span.set_attribute("http.response.status_code", status)
        for store, count in trips.items():
            span.set_attribute(f"learnhub.round_trips.{store}", count)
        if result == "failed":
            span.set_status(Status(StatusCode.ERROR))
        span.end()
        if observation.token is not None:
            with contextlib.suppress(ValueError):  # already detached in another context
                otel_context.detach(observation.token)
    _current.set(None)
    if log_enabled:
        fields = {
            "request_id": observation.request_id,
            "trace_id": trace_id,
            "operation": observation.operation,
            "operation_type": observation.operation_type,
            "client": observation.client,
            "duration_ms": round(seconds * 1000, 3),
            "round_trips": trips,
            "status": status,
            "outcome": result,
            "errors": observation.errors,
        }
        message = (
            f"{observation.operation_type} {observation.operation or 'anonymous'} {status} in {seconds * 1000:.1f} ms"
        )
        lines = logs.output.request_lines
        if lines is not None:
            lines.write(message, fields)
        else:
            request_log.info(message, extra={"fields": fields})
