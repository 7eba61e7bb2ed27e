"""The JSON log formatter and the request line's fields, without a server."""

from __future__ import annotations

import json
import logging

import pytest

from learnhub.observability.logs import JsonFormatter
from learnhub.observability.requests import operation_type, outcome


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
