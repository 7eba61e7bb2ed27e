"""`learnhub dev` keeps its local servers running: one that dies is named and started again.

Why: a crashed PostgreSQL could not come back while the gateway ran. Nothing reaped the dead
postmaster, so its pid stayed taken (a zombie) and PostgreSQL refused to start over its
`postmaster.pid`; the gateway answered STORE_UNAVAILABLE until `learnhub dev` was restarted.
Now every second the supervisor reaps any server that has exited, removes what it left behind
(lock and pid files), and starts it again on the same data folder and port.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from learnhub.embedded.base import EmbeddedServer
from learnhub.embedded.cluster import EmbeddedCluster
from learnhub.embedded.process import EmbeddedServerError

logger = logging.getLogger("learnhub.embedded")

CHECK_INTERVAL_SECONDS = 1.0
READY_TIMEOUT_SECONDS = 60.0


class Supervisor:
    def __init__(self, cluster: EmbeddedCluster, say: Callable[[str], None] | None = None) -> None:
        self.cluster = cluster
        self.say = say or logger.warning
        self.restarts: list[tuple[str, float]] = []  # (server, seconds it took to be ready again)

    def dead(self) -> list[tuple[EmbeddedServer, int]]:
        """Servers that exited (each reaped by asking), with their exit codes."""
        found = []
        for server in self.cluster.servers:
            code = server.exited()
            if code is not None:
                found.append((server, code))
        return found

    def respawn(self, server: EmbeddedServer) -> None:
        """Clean up after a dead server and start it again (on the thread that started the cluster:
        the parent-death signal follows the spawning thread). Returns at once."""
        server.stop()  # reaped already; drops the process and its pid file
        server.clear_stale_files()
        server.spawn()

    async def check_once(self) -> None:
        for server, code in self.dead():
            self.say(
                f"learnhub dev: {server.name} (port {server.port}) exited with code {code}; "
                f"restarting it on the same data ({server.data_dir})"
            )
            began = time.monotonic()
            try:
                self.respawn(server)
                await asyncio.to_thread(server.wait_ready, READY_TIMEOUT_SECONDS)
            except (EmbeddedServerError, OSError, RuntimeError) as exc:
                # Tried again at the next check: the log's tail is in the message.
                self.say(f"learnhub dev: {server.name} did not come back: {exc}")
                continue
            took = time.monotonic() - began
            self.restarts.append((server.name, took))
            self.say(f"learnhub dev: {server.name} is back after {took:.1f} s")

    async def run(self, interval: float = CHECK_INTERVAL_SECONDS) -> None:
        """Check every `interval` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            await self.check_once()
