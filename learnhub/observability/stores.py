"""One store call: its latency and failures as metrics, and a child span of the request's.

Called where the round trips are already counted (core/stats.record sites): the SQLAlchemy
cursor events, the raw asyncpg read layer, PyMongo's command listener, the Typesense client;
and for Redis every command of the gateway's client (datasources/redis.py), for S3 every API
call of its client (botocore's call events, `watch_s3`).
A span is made only inside a traced request, so background work (the outbox worker) does not
start a trace per statement.
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from learnhub.observability import metrics, tracing

# Statements are cut to this length in spans: the text names the shape, the rest is noise.
MAX_STATEMENT = 2000
_SYSTEM = {"postgres": "postgresql", "mongodb": "mongodb", "typesense": "typesense", "redis": "redis", "s3": "s3"}


class _Series:
    """A store's latency and error series, looked up once (`labels()` costs more than the update)."""

    __slots__ = ("errors", "seconds")

    def __init__(self, store: str) -> None:
        self.seconds = metrics.STORE_SECONDS.labels(store)
        self.errors = metrics.STORE_ERRORS.labels(store)


_series: dict[str, _Series] = {}


class StoreCall:
    __slots__ = ("span", "started", "store")

    def __init__(self, store: str, span: Span | None) -> None:
        self.store = store
        self.span = span
        self.started = time.perf_counter()


def start(store: str, operation: str, statement: str | None = None) -> StoreCall | None:
    """A call to `store` begins (None when neither metrics nor tracing want it)."""
    tracer = tracing.state.tracer
    if tracer is None:
        return StoreCall(store, None) if metrics.enabled else None
    span = None
    if trace.get_current_span().is_recording():
        operation = operation or (statement.split(None, 1)[0].upper() if statement else "call")
        attributes = {"db.system": _SYSTEM.get(store, store), "db.operation": operation}
        if statement:
            attributes["db.statement"] = statement[:MAX_STATEMENT]
        span = tracer.start_span(f"{store} {operation}", kind=SpanKind.CLIENT, attributes=attributes)
    return StoreCall(store, span)


def finish(call: StoreCall | None, error: BaseException | None = None) -> None:
    if call is None:
        return
    if metrics.enabled:
        series = _series.get(call.store)
        if series is None:
            series = _series[call.store] = _Series(call.store)
        series.seconds.observe(time.perf_counter() - call.started)
        if error is not None:
            series.errors.inc()
    span = call.span
    if span is not None:
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()


# S3 answers below this status are the store working (a 404 for a missing key is an answer).
_S3_FAILED_STATUS = 500
_S3_CALL = "learnhub_store_call"


class S3Failed(Exception):
    """An S3 answer with a server error status, recorded as the call's error."""


def watch_s3(events: Any) -> None:
    """Time every API call of an S3 client (`client.meta.events`): presigning is local, so only
    calls that reach the server are counted."""

    def before(model: Any, context: dict[str, Any], **_: Any) -> None:
        context[_S3_CALL] = start("s3", model.name)

    def after(http_response: Any, context: dict[str, Any], **_: Any) -> None:
        status = getattr(http_response, "status_code", 0)
        failed = S3Failed(f"HTTP {status}") if status >= _S3_FAILED_STATUS else None
        finish(context.pop(_S3_CALL, None), failed)

    def after_error(exception: BaseException, context: dict[str, Any], **_: Any) -> None:
        finish(context.pop(_S3_CALL, None), exception)

    events.register("before-call.s3", before)
    events.register("after-call.s3", after)
    events.register("after-call-error.s3", after_error)
