"""Production settings: no introspection or GraphiQL, masked errors, CORS allow-list, body size,
per-operation timeout, CSRF rules, and settings that refuse to start unsafe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from learnhub.core.settings import Settings
from tests.support.client import gql
from tests.support.data import StoreAccess, make_course, unique
from tests.support.servers import GatewayFactory, LiveServer

ORIGIN = "https://app.learnhub.example"


@pytest.fixture(scope="module")
def production(gateway_factory: GatewayFactory) -> LiveServer:
    return gateway_factory(environment="production", cors_origins=[ORIGIN], max_body_bytes=4096)


@pytest.fixture
async def prod(production: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=production.url, timeout=30) as client:
        yield client


async def test_introspection_and_graphiql_are_off(prod: httpx.AsyncClient) -> None:
    body = (await prod.post("/graphql", json={"query": "{ __schema { types { name } } }"})).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "data" not in body or body["data"] is None
    page = await prod.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert (await prod.get("/static/graphiql/graphiql.min.js.gz")).status_code == 404


async def test_unexpected_errors_are_masked_with_a_request_id(prod: httpx.AsyncClient, stores: StoreAccess) -> None:
    """A lesson whose stored body is malformed breaks a resolver: the client sees no internals."""
    slug = unique("broken")
    _, course_content_id, _ = await make_course(stores, with_content=False)
    await stores.db["lesson_content"].insert_one(
        {"_id": f"lesson:{slug}", "course_id": course_content_id, "title": "t", "preview": True,
         "blocks": [{"kind": "??"}]}
    )  # fmt: skip
    response = await prod.post("/graphql", json={"query": f'{{ lesson(id: "lesson:{slug}") {{ body {{ text }} }} }}'})
    body = response.json()
    error = body["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": response.headers["x-request-id"]}
    assert "Traceback" not in response.text
    assert "??" not in response.text
    assert "ValueError" not in response.text


async def test_cors_allows_listed_origins_only(prod: httpx.AsyncClient) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization",
    }
    allowed = await prod.options("/graphql", headers={"origin": ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    denied = await prod.options("/graphql", headers={"origin": "https://evil.example", **preflight})
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers
    simple = await prod.post("/graphql", json={"query": "{ __typename }"}, headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_body_size_limit_with_and_without_content_length(prod: httpx.AsyncClient) -> None:
    big = {"query": "{ __typename }", "variables": {"pad": "x" * 5000}}
    declared = await prod.post("/graphql", json=big)
    assert declared.status_code == 413
    assert declared.json()["errors"][0]["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "limit": 4096}

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ __typename }", "variables": {"pad": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}}'

    streamed = await prod.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    small = await prod.post("/graphql", json={"query": "{ __typename }", "variables": {"pad": "x" * 3000}})
    assert small.status_code == 200


async def test_form_posts_need_a_preflight_header(http: httpx.AsyncClient, stores: StoreAccess) -> None:
    email = f"{unique('csrf')}@example.test"
    fields = f'email: "{email}", password: "a long password", displayName: "x"'
    mutation = f"mutation {{ register(input: {{{fields}}}) {{ accessToken }} }}"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
        response = await http.post(
            "/graphql", content=f'{{"query": {mutation!r}}}'.replace("'", '"'), headers={"content-type": content_type}
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREFLIGHT_REQUIRED"
    # No mutation over GET either.
    refused = await http.get("/graphql", params={"query": mutation}, headers={"accept": "application/json"})
    assert refused.status_code in (400, 405)
    login = await gql(http, "{ me { id } }")
    assert login["data"]["me"] is None
    from sqlalchemy import func, select

    from learnhub.datasources.postgres.tables import users

    async with stores.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).where(users.c.email == email)) == 0


async def test_operations_over_the_time_limit_are_cut_off(gateway_factory: GatewayFactory, stores: StoreAccess) -> None:
    await make_course(stores)
    server = gateway_factory(operation_timeout_seconds=0.000001)
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.post("/graphql", json={"query": "{ courses(first: 5) { nodes { title } } }"})
    assert response.status_code == 504
    assert response.json()["errors"][0]["extensions"] == {"code": "OPERATION_TIMEOUT", "limit": 0.000001}


def _production(**overrides: Any) -> Settings:
    """Production settings that pass, changed by `overrides`."""
    valid: dict[str, Any] = {"jwt_keys": {"k": "k" * 40}, "jwt_active_key_id": "k", "smtp_url": "smtp://m"}
    return Settings(_env_file=None, environment="production", **(valid | overrides))  # type: ignore[call-arg]


def test_production_settings_refuse_development_secrets() -> None:
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None, environment="production")  # type: ignore[call-arg]
    message = str(info.value)
    assert "JWT_KEYS holds the development key" in message
    assert "SMTP_URL is required" in message
    refusals = {
        "at least 32": {"jwt_keys": {"k": "short"}},
        "CORS_ORIGINS": {"cors_origins": ["*"]},
        "CRASH_POINTS": {"crash_points": ["submit.after_details"]},
    }
    for expected, overrides in refusals.items():
        with pytest.raises(ValidationError, match=expected):
            _production(**overrides)
    ok = _production()
    assert not ok.introspection_enabled
    assert not ok.graphiql_enabled
