"""The lean path for JSON POSTs answers every request exactly as the general path does: the same
status, the same headers a client reads, the same body, for answers, errors, refusals and the
requests it hands on (batches, other media types, bodies over the limit, cross-origin requests)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest

from learnhub.http.fast_path import _eligible_headers, _one_operation
from tests.support.data import register
from tests.support.servers import PRODUCTION_ORIGIN, GatewayFactory, LiveServer

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = {"content-type": "application/json"}
HEADERS_COMPARED = (
    "content-type",
    "cache-control",
    "vary",
    "retry-after",
    "x-request-id",
    "access-control-allow-origin",
    "access-control-expose-headers",
)

CATALOGUE = "query Catalogue($n: Int) { courses(first: $n) { totalCount edges { node { contentId title } } } }"
HOT = "query Hot($c: String!) { course(contentId: $c) { contentId title level tags priceCents lessonCount } }"


def _body(**fields: Any) -> bytes:
    return orjson.dumps(fields)


# (name, extra headers, body): requests a client sends, good and bad, in both media types.
CORPUS: list[tuple[str, dict[str, str], bytes]] = [
    ("catalogue", JSON, _body(query=CATALOGUE, variables={"n": 3})),
    ("catalogue, graphql-response", {**JSON, "accept": GRAPHQL_RESPONSE}, _body(query=CATALOGUE, variables={"n": 2})),
    (
        "hot, charset",
        {"content-type": "application/json; charset=utf-8"},
        _body(query=HOT, variables={"c": "course:rest-api-design"}),
    ),
    ("hidden or missing course", JSON, _body(query=HOT, variables={"c": "course:nope"})),
    ("operation name", JSON, _body(query=f"{HOT} {CATALOGUE}", operationName="Catalogue", variables={"n": 1})),
    ("unknown operation name", JSON, _body(query=CATALOGUE, operationName="Nope")),
    ("syntax error", {**JSON, "accept": GRAPHQL_RESPONSE}, _body(query="{ courses { ")),
    ("unknown field", JSON, _body(query="{ courses { nope } }")),
    ("wrong variable type", JSON, _body(query=CATALOGUE, variables={"n": "ten"})),
    ("page over the cap", JSON, _body(query="{ courses(first: 10000) { totalCount } }")),
    ("no query", JSON, _body(variables={})),
    ("null fields", JSON, _body(query="{ __typename }", variables=None, operationName=None, extensions=None)),
    ("operationName not a string", JSON, _body(query="{ __typename }", operationName=[])),
    ("variables not an object", JSON, _body(query=CATALOGUE, variables="n=1")),
    ("extensions not an object", JSON, _body(query="{ __typename }", extensions=[1])),
    ("a batch", JSON, orjson.dumps([{"query": "{ __typename }"}, {"query": "{ __typename }"}])),
    ("a string", JSON, b'"{ __typename }"'),
    ("malformed JSON", JSON, b'{"query": "{ me { id }'),
    ("NaN in variables", JSON, b'{"query": "{ __typename }", "variables": {"x": NaN}}'),
    ("integer over 64 bits", JSON, b'{"query": "{ __typename }", "variables": {"x": 123456789012345678901234567890}}'),
    ("lone surrogate", JSON, b'{"query": "{ courses(first: 1) { totalCount } }", "variables": {"x": "\\ud800"}}'),
    ("byte order mark", JSON, b'\xef\xbb\xbf{"query": "{ __typename }"}'),
    ("not UTF-8", JSON, b'{"query": "\xff"}'),
    ("unknown persisted query", JSON, _body(extensions={"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}})),
    (
        "mutation refused",
        JSON,
        _body(query='mutation { login(email: "nobody@example.com", password: "wrong-password") { accessToken } }'),
    ),
    ("text/plain (CSRF)", {"content-type": "text/plain"}, _body(query="{ __typename }")),
    ("form content", {"content-type": "application/x-www-form-urlencoded"}, b"query=%7B__typename%7D"),
    ("streamed answer asked for", {**JSON, "accept": "multipart/mixed"}, _body(query="{ __typename }")),
]


async def _exchange(server: LiveServer, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], Any]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        response = await client.post("/graphql", content=body, headers={"x-request-id": "same-id", **headers})
    kept = {name: response.headers[name] for name in HEADERS_COMPARED if name in response.headers}
    try:
        content: Any = response.json()
    except ValueError:
        content = response.text
    return response.status_code, kept, content


@pytest.fixture(scope="module")
def pair(gateway_factory: GatewayFactory) -> tuple[LiveServer, LiveServer]:
    # The public cache is shared through Redis: one gateway's answer would be the other's HIT.
    # tests/caching covers it, on the lean path the live gateway takes.
    return (
        gateway_factory(fast_path_enabled=True, public_cache_enabled=False),
        gateway_factory(fast_path_enabled=False, public_cache_enabled=False),
    )


@pytest.fixture(scope="module")
def production_pair(gateway_factory: GatewayFactory) -> tuple[LiveServer, LiveServer]:
    options = {
        "environment": "production",
        "cors_origins": [PRODUCTION_ORIGIN],
        "max_body_bytes": 4096,
        "public_cache_enabled": False,
    }
    return gateway_factory(fast_path_enabled=True, **options), gateway_factory(fast_path_enabled=False, **options)


async def test_signed_in_answers_agree(pair: tuple[LiveServer, LiveServer]) -> None:
    async with httpx.AsyncClient(base_url=pair[0].url, timeout=30) as client:
        token, _ = await register(client)
    signed_in = {**JSON, "authorization": f"Bearer {token}"}
    body = _body(query="{ me { email role } myCourses(first: 5) { totalCount } }")

    lean, general = await asyncio.gather(*(_exchange(server, signed_in, body) for server in pair))

    assert lean == general
    assert lean[0] == 200
    assert lean[2]["data"]["me"]["role"] == "STUDENT"
    forged = {**JSON, "authorization": "Bearer not-a-token"}
    lean, general = await asyncio.gather(*(_exchange(server, forged, body) for server in pair))
    assert lean == general


PRODUCTION_CORPUS: list[tuple[str, dict[str, str], bytes]] = [
    ("answer", JSON, _body(query=CATALOGUE, variables={"n": 2})),
    ("masked validation error", {**JSON, "accept": GRAPHQL_RESPONSE}, _body(query="{ courses { nope } }")),
    ("introspection off", JSON, _body(query="{ __schema { types { name } } }")),
    ("body over the limit", JSON, _body(query="{ __typename }", variables={"pad": "x" * 5000})),
    ("allowed origin", {**JSON, "origin": PRODUCTION_ORIGIN}, _body(query="{ __typename }")),
    ("other origin", {**JSON, "origin": "https://evil.example"}, _body(query="{ __typename }")),
]


CASES = [("test", *case) for case in CORPUS] + [("production", *case) for case in PRODUCTION_CORPUS]


@pytest.mark.parametrize(("mode", "name", "headers", "body"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
async def test_same_answer_as_the_general_path(
    request: pytest.FixtureRequest, mode: str, name: str, headers: dict[str, str], body: bytes
) -> None:
    servers: tuple[LiveServer, LiveServer] = request.getfixturevalue("pair" if mode == "test" else "production_pair")

    lean, general = await asyncio.gather(*(_exchange(server, headers, body) for server in servers))

    assert lean == general


async def test_body_sent_in_pieces_is_read_whole(pair: tuple[LiveServer, LiveServer]) -> None:
    """A body that arrives in several chunks (a slow client) is joined before parsing."""
    body = _body(query=CATALOGUE, variables={"n": 2})

    async def pieces() -> Any:
        for start in range(0, len(body), 16):
            yield body[start : start + 16]

    answers = []
    for server in pair:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            response = await client.post("/graphql", content=pieces(), headers=JSON)
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
    assert answers[0][0] == 200
    assert answers[0][1]["data"]["courses"]["totalCount"] >= 1


def test_which_requests_take_the_lean_path() -> None:
    assert _eligible_headers([(b"content-type", b"application/json")])
    assert _eligible_headers([(b"content-type", b"Application/JSON; charset=utf-8")])
    assert _eligible_headers([(b"content-type", b"application/json"), (b"origin", b"https://a.example")])
    assert not _eligible_headers([])
    assert not _eligible_headers([(b"content-type", b"text/plain")])
    assert not _eligible_headers([(b"content-type", b"application/json"), (b"accept", b"multipart/mixed")])
    assert not _eligible_headers([(b"content-type", b"application/json"), (b"accept", b"text/event-stream")])


def test_which_bodies_the_lean_path_parses() -> None:
    assert _one_operation(b'{"query": "{ a }", "variables": {"x": 1}}') == {"query": "{ a }", "variables": {"x": 1}}
    assert _one_operation(b'{"query": null, "operationName": null}') == {"query": None, "operationName": None}
    for handed_on in (
        b"[]",
        b'"x"',
        b'{"query": 1}',
        b'{"query": "{ a }", "variables": []}',
        b'{"query": "{ a }", "operationName": 2}',
        b'{"query": "{ a }", "extensions": "x"}',
        b'{"query": "{ a }", "variables": {"x": NaN}}',
        b"{",
    ):
        assert _one_operation(handed_on) is None, handed_on
