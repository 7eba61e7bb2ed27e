"""The benchmark's peers (bench/peers) serve the gateway's schema for the four peer shapes and
answer with the gateway's data; the report shows them beside the floor, and without them for
results from before they existed."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    parse,
    specified_scalar_types,
    validate,
)

from bench import chart, equivalence, report, shapes
from bench.peers.strawberry_plain import Viewer, viewer_of
from bench.peers.strawberry_plain import schema as strawberry_schema
from bench.servers import Server, apollo_spec, serving, strawberry_spec
from learnhub.auth.tokens import issue_access_token
from learnhub.core.settings import DEV_JWT_SECRET, Settings
from learnhub.embedded import EmbeddedCluster
from tests.support.client import gql
from tests.support.data import StoreAccess, complete_lesson, enroll, make_course, register, user_id_of
from tests.support.world import add_quiz

REPO = Path(__file__).parents[2]
PEER_SDL = REPO / "bench" / "peers" / "schema.graphql"
GATEWAY_SDL = REPO / "schema.graphql"

# A type's shape: its kind, fields (type, arguments' types) and interfaces, or its enum values.
Signature = dict[str, Any]


def _signature(schema: GraphQLSchema) -> dict[str, Signature]:
    found: dict[str, Signature] = {}
    for name, named in schema.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        if isinstance(named, GraphQLEnumType):
            found[name] = {"kind": "enum", "values": set(named.values)}
        elif isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            found[name] = {
                "kind": type(named).__name__,
                "interfaces": {interface.name for interface in named.interfaces},
                "fields": {
                    field_name: (str(field.type), {arg: str(spec.type) for arg, spec in field.args.items()})
                    for field_name, field in named.fields.items()
                },
            }
        else:
            found[name] = {"kind": type(named).__name__}
    return found


def test_peer_schema_is_part_of_the_gateways() -> None:
    peer = _signature(build_schema(PEER_SDL.read_text()))
    gateway = _signature(build_schema(GATEWAY_SDL.read_text()))
    for name, mine in peer.items():
        theirs = gateway.get(name)
        assert theirs is not None, f"{name} is not in the gateway's schema"
        assert mine["kind"] == theirs["kind"], name
        if mine["kind"] == "enum":
            assert mine["values"] == theirs["values"], name
            continue
        assert mine["interfaces"] <= theirs["interfaces"], name
        for field, (field_type, args) in mine["fields"].items():
            assert field in theirs["fields"], f"{name}.{field} is not in the gateway's schema"
            their_type, their_args = theirs["fields"][field]
            assert field_type == their_type, f"{name}.{field}: {field_type} here, {their_type} in the gateway"
            for arg, arg_type in args.items():
                assert their_args.get(arg) == arg_type, f"{name}.{field}({arg}:) differs from the gateway's"


def test_strawberry_peer_serves_the_peer_schema() -> None:
    assert _signature(strawberry_schema._schema) == _signature(build_schema(PEER_SDL.read_text()))


def test_peer_queries_are_valid_against_the_peer_schema() -> None:
    schema = build_schema(PEER_SDL.read_text())
    for shape in shapes.PEER_SHAPES:
        assert validate(schema, parse(shapes.query_text(shape))) == [], shape


def test_strawberry_peer_accepts_the_gateways_access_tokens_only() -> None:
    settings = Settings()
    user = uuid.uuid4()
    token = issue_access_token(settings, user, "student", uuid.uuid4())
    assert viewer_of(settings, f"Bearer {token}") == Viewer(user_id=user)
    assert viewer_of(settings, None) == Viewer()
    assert viewer_of(settings, token).token_error  # no scheme
    assert viewer_of(Settings(jwt_issuer="elsewhere"), f"Bearer {token}").token_error
    now = int(time.time())
    claims = {"sub": str(user), "iss": settings.jwt_issuer, "iat": now, "exp": now + 60}
    for wrong, kid in (({**claims, "typ": "refresh"}, "dev-1"), ({**claims, "typ": "access"}, "other")):
        forged = jwt.encode(wrong, DEV_JWT_SECRET, algorithm="HS256", headers={"kid": kid})
        assert viewer_of(settings, f"Bearer {forged}").token_error, (wrong, kid)


def test_check_peer_compares_with_the_floor_or_the_gateway() -> None:
    answer = {"data": {"course": {"contentId": "course:a", "level": "BEGINNER"}}}
    equivalence.check_peer("hot", "apollo", answer, {"course": {"contentId": "course:a", "level": "beginner"}})
    equivalence.check_peer("hot", "apollo", answer, answer["data"], against="gateway")
    with pytest.raises(equivalence.NotEquivalent, match=r"apollo's data differs from the floor's at \$.course.level"):
        equivalence.check_peer("hot", "apollo", answer, {"course": {"contentId": "course:a", "level": "advanced"}})
    with pytest.raises(equivalence.NotEquivalent, match="strawberry answered with errors"):
        equivalence.check_peer("hot", "strawberry", {"data": None, "errors": [{"message": "x"}]}, {})


# --- the report ------------------------------------------------------------------------------------


def _run(shape: str, target: str, concurrency: int, rps: float, cpu: float) -> dict[str, Any]:
    return {
        "shape": shape,
        "target": target,
        "mode": "closed",
        "concurrency": concurrency,
        "threads": min(concurrency, 2),
        "duration_s": 1.0,
        "requests": int(rps),
        "rps": rps,
        "latency_ms": {"p50": 1000 * concurrency / rps, "p95": 2.0, "p99": 3.0, "mean": 1.0, "max": 4.0},
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0, "graphql": 0},
        "cpu_ms_per_request": cpu,
        "peak_rss_mb": 100.0,
        "target_rate": None,
        "extra": {},
        "error_total": 0,
    }


def _results(*, peers: bool) -> dict[str, Any]:
    servers = {"gateway": (200.0, 4.0), "floor": (400.0, 1.0), "apollo": (100.0, 8.0), "strawberry": (50.0, 10.0)}
    runs = [
        _run(shape, target, concurrency, rps, cpu)
        for shape in (*shapes.PEER_SHAPES, "search")
        for concurrency in (1, 8)
        for target, (rps, cpu) in servers.items()
        if peers or target in ("gateway", "floor")
        if shape in shapes.PEER_SHAPES or target in ("gateway", "floor")
    ]
    machine = {"cpu": "x", "cores": 2, "ram_gib": 4, "os": "x", "kernel": "x", "python": "3", "wrk": "4", "date": "d"}
    meta: dict[str, Any] = {
        "command": "python -m bench.run --smoke",
        "smoke": True,
        "scale": 1,
        "duration_s": 1,
        "warmup_s": 0,
        "concurrency": [1, 8],
        "rate_ceiling": 100.0,
        "fixed_concurrency": 8,
        "machine": machine,
        "dataset": {"rows": 1, "documents": 1, "seed_seconds": 1.0, "dashboard_user": "u", "hot_content_id": "c"},
        "seconds": 60.0,
    }
    if peers:
        meta["peers"] = {"apollo": {"node": "v20", "@apollo/server": "5"}, "strawberry": {"strawberry-graphql": "0"}}
    return {"meta": meta, "probes": {}, "runs": runs}


def test_report_compares_the_gateway_with_each_peer(tmp_path: Path) -> None:
    page = report.markdown(_results(peers=True), "chart.png")
    assert "## Gateway vs peers at c=8" in page
    # req/s: 200 vs Apollo 100, Strawberry 50, floor 400; CPU/req 4 vs Apollo's 8.
    assert "| catalog | 200.0 | 100.0 | 50.0 | 400.0 | 2.00x | 4.00x | 0.50x | 0.50x |" in page
    assert "| c=8 | apollo | " in page
    assert "| c=8 | *gateway / strawberry* | " in page
    assert "- **Peers**" in page
    search = page[page.index("### search") : page.index("### search") + 2000]
    assert "apollo" not in search.split("## ")[0]  # the peers do not serve search
    assert chart.render(_results(peers=True)["runs"], list(shapes.READ_SHAPES), tmp_path / "c.png").stat().st_size


def test_report_renders_results_from_before_the_peers(tmp_path: Path) -> None:
    results = _results(peers=False)
    page = report.markdown(results, "chart.png")
    assert "Gateway vs peers" not in page
    assert "apollo" not in page.split("## Results")[1].split("## Changes")[0]
    assert "- **Peers**" not in page
    assert chart.render(results["runs"], list(shapes.READ_SHAPES), tmp_path / "c.png").stat().st_size


# --- the peers against the gateway, on the tests' stores ---------------------------------------------


@pytest.fixture(scope="module")
def peers(cluster: EmbeddedCluster, seeded: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Server]]:
    """Both peers on the tests' stores, started as the benchmark starts them."""
    specs = [apollo_spec(cluster.env()), strawberry_spec(cluster.env())]
    with serving(specs, tmp_path_factory.mktemp("peers")) as servers:
        yield servers


async def _ask(url: str, query: str, variables: dict[str, Any], token: str | None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_peers_answer_with_the_gateways_data(
    http: httpx.AsyncClient, stores: StoreAccess, peers: list[Server]
) -> None:
    token, _ = await register(http)
    user = user_id_of(token)
    for _ in range(2):
        course_id, content_id, lessons = await make_course(stores)
        await enroll(stores, user, course_id)
        await complete_lesson(stores, user, course_id, lessons[0])
    await add_quiz(stores, content_id)
    gateway: dict[str, Any] = {}
    for shape in shapes.PEER_SHAPES:
        query, variables = shapes.query_text(shape), shapes.variables(shape, content_id)
        signed_in = token if shape in shapes.SIGNED_IN_SHAPES else None
        gateway[shape] = (await gql(http, query, variables, token=signed_in))["data"]
        for peer in peers:
            answer = await _ask(peer.url, query, variables, signed_in)
            equivalence.check_peer(shape, peer.name, answer, gateway[shape], against="gateway")
    # Not trivially equal: the viewer's courses with one completed lesson each, the new quiz's question.
    enrollments = gateway["dashboard"]["me"]["enrollments"]["nodes"]
    assert len(enrollments) == 2
    progress = [
        lesson["progress"]
        for node in enrollments
        for module in node["course"]["content"]["modules"]
        for lesson in module["lessons"]
        if lesson["progress"]
    ]
    assert [p["completed"] for p in progress] == [True, True]
    assert any(node.get("options") for node in gateway["question_list"]["questions"]["nodes"])


async def test_peers_fail_as_the_gateway_does(http: httpx.AsyncClient, peers: list[Server]) -> None:
    cases = [
        ("{ me { displayName } }", {}, "not-a-token"),
        ("{ questions(first: 501) { nodes { contentId } } }", {}, None),
        ("{ courses(first: 101) { nodes { contentId } } }", {}, None),
        (shapes.query_text("hot"), {"contentId": "course:nowhere"}, None),
    ]
    for query, variables, token in cases:
        expected = await gql(http, query, variables, token=token, expect_errors=True)
        for peer in peers:
            answer = await _ask(peer.url, query, variables, token)
            assert answer["data"] == expected["data"], (peer.name, query)
            codes = [error["extensions"] for error in answer["errors"]]
            assert codes == [error["extensions"] for error in expected["errors"]], (peer.name, query)
