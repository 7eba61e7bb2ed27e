"""A description of the machine the numbers come from."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]  # no stubs installed; used for a few calls only


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def _wrk_version(wrk: str) -> str:
    # `wrk --version` prints "wrk <version> [epoll] Copyright ..." and its usage, and exits non-zero.
    out = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    banner = (out.stdout or out.stderr).strip().splitlines()
    return banner[0].split("[", 1)[0].strip() if banner else "wrk (version unknown)"


def describe(wrk: str) -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": _os_name(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "wrk": _wrk_version(wrk),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
