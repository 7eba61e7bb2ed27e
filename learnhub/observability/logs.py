"""Log output: one JSON object per line in production, readable lines in development.

A record's `fields` extra (the request log line's request id, trace id, operation, duration,
round trips, status) becomes top-level keys of its JSON object; any record logged inside a
traced request carries the trace id.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson

from learnhub.observability import tracing

HUMAN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if "trace_id" not in line and (trace_id := tracing.current_trace_id()) is not None:
            line["trace_id"] = trace_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def configure(json_lines: bool) -> None:
    """Every record of the process through one stderr handler in the chosen format."""
    formatter: logging.Formatter = JsonFormatter() if json_lines else logging.Formatter(HUMAN_FORMAT)
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(formatter)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
