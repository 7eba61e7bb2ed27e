"""A child server process: started with its log in a file, checked for readiness, stopped."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1


class EmbeddedServerError(RuntimeError):
    """A local server failed to start: names the server, its command and its log's tail."""

    def __init__(self, name: str, command: Sequence[str], log_path: Path, reason: str) -> None:
        self.name = name
        tail = log_tail(log_path)
        super().__init__(
            f"{name} failed to start: {reason}\n"
            f"  command: {' '.join(command)}\n"
            f"  log: {log_path}\n" + "".join(f"  | {line}\n" for line in tail)
        )


def log_tail(path: Path, lines: int = 15) -> list[str]:
    """The last lines of a log file, or nothing when it does not exist yet."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 8192))
            return fh.read().decode("utf-8", "replace").splitlines()[-lines:]
    except FileNotFoundError:
        return []


def run_as(user: str | None) -> dict[str, Any]:
    """Popen arguments that drop to `user` with only that user's group: root's groups would
    otherwise still decide access to folders such as a 0700 temporary directory."""
    if user is None:
        return {}
    return {"user": user, "group": user, "extra_groups": []}


def _die_with_parent() -> None:
    # If the gateway is killed outright (SIGKILL, OOM) the kernel still stops its servers,
    # so no orphan keeps a port or a data directory busy.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ManagedProcess:
    """One server binary run as a direct child of this process."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        log_path: Path,
        *,
        user: str | None = None,
        env: dict[str, str] | None = None,
        pid_file: Path | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.log_path = log_path
        self.user = user
        self.env = env
        self.pid_file = pid_file
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Spawn the server. Call from the main thread: the parent-death signal is per thread."""
        if self.pid_file is not None:
            stop_stale(self.pid_file)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - fixed argv built by this package
                self.command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Own session: a terminal's Ctrl-C reaches the gateway, which then stops the
                # servers in order, instead of every server dying at once mid-request.
                start_new_session=True,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - only async-signal-safe prctl
                env=self.env,
                **run_as(self.user),
            )
        if self.pid_file is not None:
            self.pid_file.write_text(f"{self.proc.pid}\n{self.command[0]}\n")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def exit_code(self) -> int | None:
        """The exit code once the process has ended (and reaps it), None while it runs."""
        return self.proc.poll() if self.proc is not None else None

    def signal_group(self, signum: int) -> None:
        """Send `signum` to the server and every process it started: SIGSTOP freezes a PostgreSQL
        with its backends, SIGKILL kills them all, as a crash would. Its group is not enough:
        PostgreSQL's backends each start a session of their own (setsid), so they are found
        as the server's descendants."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for pid in [self.proc.pid, *descendants(self.proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def wait_ready(self, probe: Callable[[], bool], timeout: float) -> None:
        """Poll `probe` until it succeeds; fail with the log's tail if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise EmbeddedServerError(
                    self.name, self.command, self.log_path, f"exited with code {self.proc.returncode}"
                )
            with contextlib.suppress(Exception):
                if probe():
                    return
            if time.monotonic() > deadline:
                # A probe can outlast the deadline while the server dies meanwhile: report the exit.
                code = self.proc.poll() if self.proc is not None else None
                reason = f"exited with code {code}" if code is not None else f"not ready after {timeout:.0f} s"
                raise EmbeddedServerError(self.name, self.command, self.log_path, reason)
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def fail(self, reason: str) -> EmbeddedServerError:
        return EmbeddedServerError(self.name, self.command, self.log_path, reason)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM (a clean shutdown for every server here), then SIGKILL after `timeout`."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.proc = None
        if self.pid_file is not None:
            self.pid_file.unlink(missing_ok=True)


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc (children before their own children)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces: the fields after its ')' are fixed.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: list[int] = []
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop(0)
        found.append(child)
        todo += children.get(child, [])
    return found


def stop_stale(pid_file: Path) -> None:
    """Stop a server left running by an earlier run that was killed before it could clean up."""
    try:
        pid_text, exe = pid_file.read_text().split("\n")[:2]
        pid = int(pid_text)
    except (FileNotFoundError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except OSError:
        cmdline = ""
    if cmdline == exe:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(300):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)
