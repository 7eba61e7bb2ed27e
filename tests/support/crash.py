"""A gateway process that dies at a named step of a cross-store write (learnhub/core/crash.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from learnhub.core.settings import Settings
from learnhub.embedded import EmbeddedCluster
from learnhub.embedded.base import free_port


@asynccontextmanager
async def crashing_gateway(
    cluster: EmbeddedCluster, settings: Settings, crash_point: str
) -> AsyncIterator[tuple[str, subprocess.Popen[str]]]:
    """`learnhub serve` that exits at `crash_point`; yields (base URL, process) once it serves."""
    port = free_port()
    env = (
        os.environ
        | cluster.env()
        | {
            "ENVIRONMENT": "test",
            "PORT": str(port),
            "CRASH_POINTS": json.dumps([crash_point]),
            "SMTP_URL": settings.smtp_url.get_secret_value() if settings.smtp_url else "",
            "RATE_LIMIT_ENABLED": "false",
        }
    )
    command = [sys.executable, "-m", "learnhub", "serve"]
    proc = await asyncio.to_thread(
        subprocess.Popen, command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None

    def wait_until_serving() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:  # ends when the process exits
            if "Application startup complete" in line:
                return
        raise AssertionError(f"the gateway exited with {proc.wait()} before serving")

    try:
        await asyncio.wait_for(asyncio.to_thread(wait_until_serving), 60)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)
