"""What the gateway logs while a block runs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class LogRecords(logging.Handler):
    """The records of the loggers it is attached to; the live gateway logs from its own thread."""

    def __init__(self, level: int) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured_logs(*names: str, level: int) -> Iterator[LogRecords]:
    """What these loggers log at `level` and above while the block runs (each is lowered to `level`
    for the while if it would drop such records)."""
    handler = LogRecords(level)
    loggers = [logging.getLogger(name) for name in names]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        if logger.getEffectiveLevel() > level:
            logger.setLevel(level)
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger, was in zip(loggers, before, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(was)
