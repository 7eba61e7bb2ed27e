"""`GET /metrics`: the Prometheus exposition of learnhub/observability/metrics.py.

Open outside production. In production it answers a bearer `METRICS_TOKEN`, or a client in
`METRICS_ALLOWED_NETWORKS` (the address as uvicorn reports it: behind a proxy it trusts, the
forwarded address, so a listed network must not hold a proxy whose forwarded header uvicorn
ignores); with neither configured it refuses everyone. With `PROMETHEUS_MULTIPROC_DIR` set
(`learnhub serve --workers N`), each scrape sums every worker's files, so any worker answers for
all of them.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from learnhub.core.settings import Settings


def _peer_allowed(request: Request, settings: Settings) -> bool:
    if not settings.metrics_allowed_networks or request.client is None:
        return False
    try:
        peer = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(network, strict=False) for network in settings.metrics_allowed_networks)


def _token_allowed(request: Request, settings: Settings) -> bool:
    if settings.metrics_token is None:
        return False
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = settings.metrics_token.get_secret_value()
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode())


def allowed(request: Request, settings: Settings) -> bool:
    if not settings.is_production:
        return True
    return _token_allowed(request, settings) or _peer_allowed(request, settings)


async def metrics_endpoint(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if not allowed(request, settings):
        return PlainTextResponse("Forbidden", status_code=403, headers={"www-authenticate": "Bearer"})
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client leaves it untyped
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"cache-control": "no-store"})
