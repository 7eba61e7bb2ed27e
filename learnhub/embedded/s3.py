"""An S3 API server (moto's standalone server) for uploaded files."""

from __future__ import annotations

import sys

import httpx

from learnhub.embedded.base import EmbeddedServer
from learnhub.embedded.process import ManagedProcess


class EmbeddedS3(EmbeddedServer):
    name = "S3"

    def spawn(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        self.process = ManagedProcess(self.name, command, self.log_path, pid_file=self.pid_file)
        self.process.start()

    def _answers(self) -> bool:
        return httpx.get(f"http://127.0.0.1:{self.port}/", timeout=0.5).status_code < 500

    def wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait_ready(self._answers, timeout)

    def env(self) -> dict[str, str]:
        return {
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.port}",
            "S3_ACCESS_KEY_ID": "learnhub",
            "S3_SECRET_ACCESS_KEY": "learnhub-local-secret",
            "S3_REGION": "us-east-1",
        }
