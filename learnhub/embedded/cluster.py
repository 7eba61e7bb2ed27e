"""Start and stop all five local servers together."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from learnhub.embedded.base import EmbeddedServer, free_port
from learnhub.embedded.mongo import EmbeddedMongo
from learnhub.embedded.postgres import EmbeddedPostgres
from learnhub.embedded.process import EmbeddedServerError
from learnhub.embedded.redis import EmbeddedRedis
from learnhub.embedded.s3 import EmbeddedS3
from learnhub.embedded.stripe import EmbeddedStripe
from learnhub.embedded.typesense import EmbeddedTypesense


@dataclass(frozen=True)
class Ports:
    postgres: int
    mongo: int
    redis: int
    typesense: int
    s3: int
    # The local Stripe-compatible API; any free port unless given.
    stripe: int = field(default_factory=free_port)

    @classmethod
    def free(cls) -> Ports:
        return cls(free_port(), free_port(), free_port(), free_port(), free_port())


class EmbeddedCluster:
    """PostgreSQL, MongoDB, Redis, Typesense and S3, each with a folder under `root`."""

    def __init__(self, root: Path, ports: Ports, *, durable: bool = True, movable_ports: bool = False) -> None:
        self.root = root
        # Ports this code chose (not a user's `--pg-port`): a server that finds its port taken
        # between the choice and its bind is started once more on another.
        self.movable_ports = movable_ports
        logs = root / "logs"
        self.servers: list[EmbeddedServer] = [
            EmbeddedPostgres(root / "postgres", logs, ports.postgres, durable=durable),
            EmbeddedMongo(root / "mongo", logs, ports.mongo),
            EmbeddedRedis(root / "redis", logs, ports.redis),
            EmbeddedTypesense(root / "typesense", logs, ports.typesense),
            EmbeddedS3(root / "s3", logs, ports.s3),
            EmbeddedStripe(root / "stripe", logs, ports.stripe),
        ]
        self.started_in: float | None = None

    def start(self, timeout: float = 60.0) -> None:
        """Spawn every server, then wait for all of them in parallel; on failure stop those started."""
        began = time.monotonic()
        try:
            # Spawning stays on this thread: the parent-death signal follows the spawning thread.
            for server in self.servers:
                server.spawn()
            with ThreadPoolExecutor(len(self.servers)) as pool:
                waits = [(s, pool.submit(s.wait_ready, timeout)) for s in self.servers]
            taken = []
            for server, wait in waits:
                error = wait.exception()
                if self._port_was_taken(error):
                    taken.append(server)
                elif error is not None:
                    raise error
            for server in taken:
                server.stop()
                server.port = free_port()
                server.spawn()
                server.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - began

    def _port_was_taken(self, error: BaseException | None) -> bool:
        return (
            self.movable_ports
            and isinstance(error, EmbeddedServerError)
            and "address already in use" in str(error).lower()
        )

    def stop(self) -> None:
        """Stop every server, in parallel; safe to call twice."""
        with ThreadPoolExecutor(len(self.servers)) as pool:
            list(pool.map(lambda s: s.stop(), self.servers))

    def env(self) -> dict[str, str]:
        """Settings (environment names) pointing at these servers."""
        merged: dict[str, str] = {}
        for server in self.servers:
            merged.update(server.env())
        return merged

    def pids(self) -> list[int]:
        return [s.process.pid for s in self.servers if s.process is not None and s.process.pid]


@contextmanager
def running_cluster(root: Path, ports: Ports | None = None, *, durable: bool = True) -> Iterator[EmbeddedCluster]:
    """A started cluster that is stopped when the block ends, however it ends."""
    cluster = EmbeddedCluster(root, ports or Ports.free(), durable=durable, movable_ports=ports is None)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
