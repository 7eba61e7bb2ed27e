"""The benchmark's shapes: what each one asks the gateway and the floor, and the issue's targets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.load import Load
from bench.track import body

QUERIES = Path(__file__).parent / "queries"
READ_SHAPES = ("dashboard", "catalog", "question_list", "hot", "search")
# Only the dashboard is about the viewer; the catalogue, question bank, hot course and search are public.
SIGNED_IN_SHAPES = frozenset({"dashboard"})
WRITE_SHAPE = "submit"
# Analytics: 100 events per `trackEvents` call (bench/track.py), gateway only.
TRACK_SHAPE = "track"
# The shapes the peers (bench/peers) serve: every read but search, which needs the gateway's
# search stack (Typesense, embeddings, fusion) that no peer has.
PEER_SHAPES = ("dashboard", "catalog", "question_list", "hot")
# Anonymous reads the public-read cache answers: also loaded on the gateway with the cache on.
CACHED_SHAPES = ("catalog", "hot")
# The peers, in the order they are loaded after the gateway and the floor.
PEERS = ("apollo", "strawberry")
# The stores a request's round trips are counted for (`extensions.roundTrips`; absent means 0).
STORES = ("postgres", "mongodb", "typesense")
# What a student would type (one word misspelled) that the scale data answers with lessons and
# courses in the first ten hits at scale 1 and 10: "PostgreSQL" courses teach "connection pooling".
SEARCH_QUERY = "advanced postgres conection pooling"

# Round trips per request, every store together, the gateway may take.
ROUND_TRIP_TARGETS = {"dashboard": 6, "catalog": 3, "question_list": 3, "hot": 2, "search": 7}
# trackEvents: the events' course looked up (one batch); the rows are written by the buffer's flush.
ROUND_TRIP_TARGETS["track"] = 1
# The question bank: the visible courses (PostgreSQL), the questions their open quizzes list, the
# page (MongoDB). One aggregation doing the last two cost 40-100 ms of server time per 500 questions.
# Per store, where one store's count is a target of its own. Search: one Typesense multi-search;
# PostgreSQL: the pgvector statement, then the hits' course rows in one batch; MongoDB: one read
# per kind of record on the page (lessons, course contents, questions and the quizzes listing
# them). Measured at scale 10: 2 PostgreSQL + 2 MongoDB (lessons and courses) + 1 Typesense.
STORE_ROUND_TRIP_TARGETS = {"search": {"typesense": 1, "postgres": 2, "mongodb": 4}}
# The concurrency at which gateway and floor are held to the latency and throughput targets.
TARGET_CONCURRENCY = 8
DASHBOARD_P50_RATIO = 3.0  # gateway p50 <= 3 x floor
QUESTION_LIST_P50_RATIO = 3.0  # gateway p50 <= 3 x floor
SEARCH_P50_RATIO = 2.0  # gateway p50 <= 2 x floor
THROUGHPUT_SHARE = 0.6  # catalog and hot: gateway req/s >= 60% of floor
# Against Apollo Server + DataLoader on Node (bench/peers/apollo): gateway req/s / Apollo req/s.
APOLLO_THROUGHPUT_RATIO = {"dashboard": 1.5, "catalog": 1.0, "question_list": 1.5, "hot": 1.0}


@dataclass(frozen=True)
class Targets:
    """Where the loads go and as whom."""

    gateway_url: str
    floor_url: str
    authorization: str  # the dashboard user's Authorization header
    dashboard_user_id: str
    hot_content_id: str


def query_text(shape: str) -> str:
    return (QUERIES / f"{shape}.graphql").read_text()


def variables(shape: str, hot_content_id: str) -> dict[str, Any]:
    if shape == "hot":
        return {"contentId": hot_content_id}
    if shape == "search":
        return {"q": SEARCH_QUERY}
    return {}


def gateway_body(shape: str, targets: Targets) -> dict[str, Any]:
    return {"query": query_text(shape), "variables": variables(shape, targets.hot_content_id)}


def round_trips(extensions: dict[str, Any]) -> dict[str, int]:
    """A response's round trips per store, from `extensions.roundTrips`."""
    trips = extensions["roundTrips"]
    return {store: int(trips.get(store, 0)) for store in STORES}


def gateway_authorization(shape: str, targets: Targets) -> str | None:
    return targets.authorization if shape in SIGNED_IN_SHAPES else None


def floor_url(shape: str, targets: Targets) -> str:
    query = {
        "dashboard": {"user_id": targets.dashboard_user_id},
        "hot": {"content_id": targets.hot_content_id},
        "search": {"q": SEARCH_QUERY},
    }.get(shape)
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{targets.floor_url}/floor/{shape}{suffix}"


def graphql_load(shape: str, targets: Targets, url: str, workdir: Path) -> Load:
    """The shape's GraphQL request, as the gateway gets it, sent to the server at `url`."""
    body_file = workdir / f"{shape}.json"
    body_file.write_text(json.dumps(gateway_body(shape, targets)))
    args = ["method=POST", f"body={body_file}"]
    if (auth := gateway_authorization(shape, targets)) is not None:
        args.append(f"auth={auth}")
    return Load(url=f"{url}/graphql", fragment="static.lua", args=tuple(args))


def gateway_load(shape: str, targets: Targets, workdir: Path) -> Load:
    return graphql_load(shape, targets, targets.gateway_url, workdir)


def floor_load(shape: str, targets: Targets) -> Load:
    return Load(url=floor_url(shape, targets), fragment="static.lua", args=("method=GET",))


def submit_load(targets: Targets, requests_file: Path) -> Load:
    return Load(url=f"{targets.gateway_url}/graphql", fragment="submit.lua", args=(f"requests={requests_file}",))


def track_load(targets: Targets, workdir: Path) -> Load:
    """The same 100-event batch, as the dashboard user (every call adds 100 new rows)."""
    body_file = workdir / "track.json"
    body_file.write_text(json.dumps(body(targets.hot_content_id)))
    args = ("method=POST", f"body={body_file}", f"auth={targets.authorization}")
    return Load(url=f"{targets.gateway_url}/graphql", fragment="static.lua", args=args)
