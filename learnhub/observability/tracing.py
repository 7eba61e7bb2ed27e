"""OpenTelemetry tracing, configured only by the standard `OTEL_*` variables.

Tracing is on when `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
`OTEL_TRACES_EXPORTER` (`otlp` or `console`) is set, and `OTEL_SDK_DISABLED` is not `true`. The
exporter is OTLP over HTTP (protobuf) and reads its own variables (endpoint, headers, timeout,
compression); the sampler is the SDK's, from `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`
(default: always, or as the caller's `traceparent` decided). Spans leave through a
BatchSpanProcessor, so a request never waits on the collector.

The provider is kept here rather than installed globally: a process (or a test) can set it up and
shut it down more than once, which the global provider refuses.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Tracer

logger = logging.getLogger("learnhub.observability")

DEFAULT_SERVICE_NAME = "learnhub-gateway"


class _Tracing:
    """The process's tracer, once set up (None: tracing is off)."""

    __slots__ = ("provider", "tracer")

    def __init__(self) -> None:
        self.provider: TracerProvider | None = None
        self.tracer: Tracer | None = None


state = _Tracing()


def requested(env: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for traces."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    return bool(exporter or env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def _exporter(env: Mapping[str, str]) -> SpanExporter:
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "console":
        return ConsoleSpanExporter()
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def configure(env: Mapping[str, str] = os.environ) -> bool:
    """Set up the tracer if the environment asks for it; returns whether tracing is on."""
    if state.provider is not None:
        return True
    if not requested(env):
        return False
    attributes = {} if env.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: DEFAULT_SERVICE_NAME}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(_exporter(env)))
    state.provider, state.tracer = provider, provider.get_tracer("learnhub")
    logger.info("tracing on: spans exported over OTLP/HTTP")
    return True


def shutdown() -> None:
    """Export what is queued, then stop tracing."""
    provider, state.provider, state.tracer = state.provider, None, None
    if provider is not None:
        provider.shutdown()


def flush(timeout_millis: int = 5000) -> bool:
    return state.provider.force_flush(timeout_millis) if state.provider is not None else True


def current_trace_id() -> str | None:
    """The trace id (32 hex digits) of the span this code runs in, if it is being traced."""
    if state.tracer is None:
        return None
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
