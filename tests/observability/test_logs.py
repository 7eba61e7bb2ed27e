"""The JSON log formatter and the request line's fields, without a server."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from learnhub.observability.logs import JsonFormatter, RequestLines, configure, output, utc_time
from learnhub.observability.requests import operation_type, outcome
from tests.support.logs import captured_logs


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("learnhub.test", logging.WARNING, __file__, 1, message, ("x",), None)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_json_object_with_its_fields_on_top() -> None:
    line = JsonFormatter().format(_record("hello %s", fields={"request_id": "r1", "round_trips": {"postgres": 2}}))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "hello x"
    assert parsed["level"] == "WARNING"
    assert parsed["logger"] == "learnhub.test"
    assert parsed["request_id"] == "r1"
    assert parsed["round_trips"] == {"postgres": 2}
    assert parsed["time"].endswith("Z")
    assert "trace_id" not in parsed  # nothing is traced here


def test_an_exception_stays_inside_the_json_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("learnhub", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    parsed = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in parsed["exception"]


@pytest.mark.parametrize(
    ("query", "name", "expected"),
    [
        ("{ me { id } }", None, "query"),
        ("# a comment mentioning mutation\nquery { me { id } }", None, "query"),
        ("mutation Login($e: String!) { login(email: $e) { ok } }", "Login", "mutation"),
        ("query A { a } mutation B { b }", "B", "mutation"),
        ("subscription S { s }", None, "subscription"),
        ("fragment F on Query { a }", None, "unknown"),
    ],
)
def test_the_operation_type_is_read_from_the_text(query: str, name: str | None, expected: str) -> None:
    assert operation_type(query, name) == expected


def test_outcomes() -> None:
    assert outcome(200, 0) == "ok"
    assert outcome(200, 1) == "error"
    assert outcome(429, 1) == "refused"
    assert outcome(504, 1) == "failed"


def test_the_operation_name_is_read_from_a_one_operation_document() -> None:
    from learnhub.observability import metrics
    from learnhub.observability import requests as observed

    before = metrics.enabled
    metrics.enabled = True
    try:
        observation = observed.begin("r-name", {})
        assert observation is not None
        observed.note_operation("  query Dashboard($id: ID!) { me { id } }", None)
        assert (observation.operation, observation.operation_type) == ("Dashboard", "query")
        observed.note_operation("{ me { id } }", None)
        assert observation.operation is None
        observed.finish(observation, 200, None)
    finally:
        metrics.enabled = before


def _read_lines(fd: int) -> list[dict[str, object]]:
    os.set_blocking(fd, False)
    data = b""
    with contextlib.suppress(BlockingIOError):
        while chunk := os.read(fd, 65536):
            data += chunk
    assert data.endswith(b"\n")
    return [json.loads(line) for line in data.decode().splitlines()]


def test_request_lines_are_whole_json_objects_written_straight_to_the_descriptor() -> None:
    read, write = os.pipe()
    try:
        lines = RequestLines(write)
        lines.write(
            "query Hot 200 in 1.2 ms", {"request_id": "r1", "round_trips": {"postgres": 1}, "amount": Decimal("1.50")}
        )
        lines.write("mutation Login 200 in 3.0 ms", {"request_id": "r2", "trace_id": None})
        first, second = _read_lines(read)
    finally:
        os.close(read)
        os.close(write)
    assert first["logger"] == "learnhub.request"
    assert first["level"] == "INFO"
    assert first["message"] == "query Hot 200 in 1.2 ms"
    assert first["round_trips"] == {"postgres": 1}
    assert first["amount"] == "1.50"  # what JSON cannot hold is written as text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(first["time"]))
    assert second["request_id"] == "r2"


def test_a_request_line_that_cannot_be_written_is_dropped_without_failing() -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        RequestLines(write).write("query Hot 200 in 1.2 ms", {"request_id": "r1"})  # EPIPE
    finally:
        os.close(write)


def test_the_time_is_right_across_whole_seconds() -> None:
    assert utc_time(0.5) == "1970-01-01T00:00:00.500Z"
    assert utc_time(61.25) == "1970-01-01T00:01:01.250Z"
    assert utc_time(0.999) == "1970-01-01T00:00:00.999Z"
    later = 1_796_000_000.042
    assert utc_time(later) == datetime.fromtimestamp(later, UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def test_with_json_logs_the_request_line_bypasses_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    from learnhub.observability import metrics
    from learnhub.observability import requests as observed

    read, write = os.pipe()
    monkeypatch.setattr(observed, "log_enabled", True)
    monkeypatch.setattr(metrics, "enabled", False)
    monkeypatch.setattr(output, "request_lines", RequestLines(write))
    try:
        with captured_logs("learnhub.request", level=logging.INFO) as logs:
            observation = observed.begin("r-json", {"apollographql-client-name": "ios"})
            observed.note_operation("query Hot { __typename }", None)
            observed.finish(observation, 200, {"postgres": 1, "mongodb": 0})
        (line,) = _read_lines(read)
    finally:
        os.close(read)
        os.close(write)
    assert not logs.records
    assert line["request_id"] == "r-json"
    assert line["operation"] == "Hot"
    assert line["operation_type"] == "query"
    assert line["client"] == "ios"
    assert line["status"] == 200
    assert line["outcome"] == "ok"
    assert line["round_trips"] == {"postgres": 1}
    assert line["message"] == f"query Hot 200 in {line['duration_ms']:.1f} ms"


def test_configure_chooses_where_the_request_log_goes() -> None:
    root = logging.getLogger()
    before = [(handler, handler.formatter) for handler in root.handlers], root.level
    try:
        configure(json_lines=True)
        assert output.request_lines is not None
        assert output.request_lines.fd == sys.stderr.fileno()
        configure(json_lines=False)
        assert output.request_lines is None
    finally:
        for handler, formatter in before[0]:
            handler.setFormatter(formatter)
        root.setLevel(before[1])
        output.request_lines = None
