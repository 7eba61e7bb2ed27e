"""Live-update fan-out: `python -m bench.fanout [--users N] [--rate R] [--seconds S] [--out FILE]`.

Starts the embedded stores in a temporary folder, migrates, and serves two gateway processes
(as bench/servers.py starts them: `learnhub serve`, one uvicorn worker each, no worker inside).
Registers N students and opens two graphql-transport-ws sockets per student, one on each
gateway, each subscribed to `myProgress`. Then, for S seconds, publishes R progress events a
second to random students' streams with XADD from this process (what the outbox worker does
after a commit; the worker's own drain is not what is measured) and times each event from its
XADD to its arrival on each of the student's two sockets: the path through Redis, the reader of
each gateway process, the subscription's fresh reads of the progress and enrollment rows, and
the socket. Prints sockets, events and deliveries per second, and delivery latency p50/p99/max,
and writes them as a markdown table. Latencies come from this process's clock on both ends.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.servers import REPO, Server, Spec, gateway_env, serving
from learnhub.core.settings import Settings
from learnhub.datasources.redis import make_redis
from learnhub.embedded import running_cluster
from learnhub.embedded.base import free_port
from learnhub.live import events, streams
from learnhub.migrations.migrate import migrate_all

COMMAND = "python -m bench.fanout"
OUT = REPO / "bench" / "results" / "fanout.md"
REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { accessToken errors { code message } } }"
SUBSCRIBE = "subscription($c: String) { myProgress(after: $c) { cursor progress { position } } }"
# After the last publish, wait this long for stragglers before counting what never arrived.
DRAIN_S = 5.0


@dataclass
class Run:
    published: dict[str, float] = field(default_factory=dict)  # event cursor -> publish time
    # (event cursor, arrival): joined with `published` at the end, since an event may arrive before
    # the XADD's own answer has been read here.
    arrivals: list[tuple[str, float]] = field(default_factory=list)
    expected: int = 0

    @property
    def delivered(self) -> int:
        return len(self.arrivals)

    def latencies(self) -> list[float]:
        return [at - self.published[sid] for sid, at in self.arrivals if sid in self.published]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def gateway(store_env: dict[str, str], name: str) -> Spec:
    port = free_port()
    env = gateway_env(store_env, port) | {"PUBLIC_CACHE_ENABLED": "false", "LIVE_SOCKETS_PER_USER": "4"}
    return Spec(name, [sys.executable, "-m", "learnhub", "serve", "--workers", "1"], env, port)


async def _register(http: httpx.AsyncClient, url: str) -> str:
    account = {
        "email": f"fan-{uuid.uuid4().hex[:12]}@example.test",
        "password": "correct horse battery",
        "displayName": "Fan",
    }
    response = await http.post(f"{url}/graphql", json={"query": REGISTER, "variables": {"i": account}})
    body = response.json()
    if "data" not in body or not body["data"]["register"]["accessToken"]:
        raise RuntimeError(f"register failed: {body}")
    token: str = body["data"]["register"]["accessToken"]
    return token


async def _open(url: str, token: str, user_stream: str) -> ClientConnection:
    ws = await connect(url.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    ack = json.loads(await ws.recv())
    assert ack["type"] == "connection_ack", ack
    # From a moment ago: nothing published after this socket opened is missed, however late its
    # subscription starts following.
    after = streams.encode_cursor(user_stream, f"{int(time.time() * 1000) - 1000}-0")
    message = {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"c": after}}}
    await ws.send(json.dumps(message))
    return ws


async def _listen(ws: ClientConnection, run: Run) -> None:
    async for raw in ws:
        message = json.loads(raw)
        if message.get("type") != "next":
            continue
        arrived = time.perf_counter()
        cursor = message["payload"]["data"]["myProgress"]["cursor"]
        run.arrivals.append((cursor, arrived))


async def measure(
    servers: list[Server], settings: Settings, users: int, rate: float, seconds: float
) -> tuple[Run, float]:
    run = Run()
    async with httpx.AsyncClient(timeout=60) as http:
        tokens = []
        for start in range(0, users, 10):  # registration hashes passwords: a few at a time
            batch = [_register(http, servers[start % 2].url) for _ in range(min(10, users - start))]
            tokens += await asyncio.gather(*batch)
    user_streams = [streams.user_stream(uuid.UUID(_claims(token)["sub"])) for token in tokens]
    sockets = [
        await _open(server.url, token, stream)
        for token, stream in zip(tokens, user_streams, strict=True)
        for server in servers
    ]
    listeners = [asyncio.create_task(_listen(ws, run)) for ws in sockets]
    redis = make_redis(settings)
    try:
        payload = {"course_id": str(uuid.uuid4()), "lesson_id": "lesson:fanout"}
        began = time.perf_counter()
        total = int(rate * seconds)
        for n in range(total):
            # Paced to the rate: publish n at began + n / rate.
            await asyncio.sleep(max(0.0, began + n / rate - time.perf_counter()))
            sent = time.perf_counter()
            stream = random.choice(user_streams)
            stream_id = await streams.publish(redis, stream, events.PROGRESS, payload, settings.live_retention_seconds)
            run.published[streams.encode_cursor(stream, stream_id)] = sent
            run.expected += len(servers)
        elapsed = time.perf_counter() - began
        deadline = time.perf_counter() + DRAIN_S
        while run.delivered < run.expected and time.perf_counter() < deadline:  # noqa: ASYNC110 - a bounded wait for stragglers, measured
            await asyncio.sleep(0.05)
    finally:
        for task in listeners:
            task.cancel()
        for ws in sockets:
            await ws.close()
        await redis.aclose()
    return run, elapsed


def _claims(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return claims


def table(run: Run, sockets: int, elapsed: float) -> str:
    ms = [value * 1000 for value in run.latencies()] or [float("nan")]
    events_per_s = len(run.published) / elapsed
    return (
        f"Measured with `{COMMAND}` on two gateway processes sharing one Redis: each event is "
        "published once (XADD) and delivered to the student's socket on each gateway.\n\n"
        "| sockets | events | events/s | deliveries/s | lost | p50 ms | p99 ms | max ms |\n"
        "|--:|--:|--:|--:|--:|--:|--:|--:|\n"
        f"| {sockets} | {len(run.published)} | {events_per_s:,.0f} | {run.delivered / elapsed:,.0f} | "
        f"{run.expected - run.delivered} | {percentile(ms, 0.5):.1f} | {percentile(ms, 0.99):.1f} | {max(ms):.1f} |\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100, help="students, two sockets each (default 100)")
    parser.add_argument("--rate", type=float, default=200, help="events published per second (default 200)")
    parser.add_argument("--seconds", type=float, default=10, help="how long to publish (default 10)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"the markdown table (default {OUT.relative_to(REPO)})")
    args = parser.parse_args(argv)
    if args.users < 1 or args.rate <= 0 or args.seconds <= 0:
        parser.error("--users, --rate and --seconds must be positive")
    with (
        tempfile.TemporaryDirectory(prefix="learnhub-fanout-") as tmp,
        running_cluster(Path(tmp) / "servers", durable=False) as cluster,
    ):
        store_env = cluster.env()
        settings = Settings(**{k.lower(): v for k, v in store_env.items()}, environment="test")
        print("Migrating ...", flush=True)
        migrate_all(settings)
        with serving([gateway(store_env, "gateway-1"), gateway(store_env, "gateway-2")], Path(tmp)) as servers:
            print(f"{args.users * 2} sockets, {args.rate:g} events/s for {args.seconds:g} s ...", flush=True)
            run, elapsed = asyncio.run(measure(servers, settings, args.users, args.rate, args.seconds))
    markdown = table(run, args.users * 2, elapsed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown)
    print("\n" + markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
