"""The app as composed for production: no introspection or GraphiQL, and a CORS allow-list."""

from __future__ import annotations

import httpx

from tests.support.client import post_graphql
from tests.support.servers import PRODUCTION_ORIGIN


async def test_introspection_and_graphiql_are_off(prod: httpx.AsyncClient) -> None:
    body = (await post_graphql(prod, "{ __schema { types { name } } }")).json()
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "data" not in body or body["data"] is None
    page = await prod.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert (await prod.get("/static/graphiql/graphiql.min.js.gz")).status_code == 404


async def test_cors_allows_listed_origins_only(prod: httpx.AsyncClient) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization",
    }
    allowed = await prod.options("/graphql", headers={"origin": PRODUCTION_ORIGIN, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PRODUCTION_ORIGIN
    denied = await prod.options("/graphql", headers={"origin": "https://evil.example", **preflight})
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers
    simple = await post_graphql(prod, "{ __typename }", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers
