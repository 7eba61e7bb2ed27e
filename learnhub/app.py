"""The Starlette application: routes, the lifespan that owns every store client, the GraphQL view."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import multiprocess
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from learnhub.analytics import buffer as analytics_buffer
from learnhub.caching.store import PublicCache
from learnhub.core.runtime import tune_gc
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.chunks import active_model
from learnhub.datasources.stores import OPTIONAL_STORES, Stores
from learnhub.graphql.execution.persisted import PersistedQueries
from learnhub.graphql.schema import build_schema
from learnhub.http.fast_path import GatewayApp
from learnhub.http.graphiql import graphiql_asset
from learnhub.http.graphql_view import GatewayGraphQL
from learnhub.http.metrics import metrics_endpoint
from learnhub.http.middleware import BodySizeLimit
from learnhub.http.rest import get_quiz, list_questions
from learnhub.http.webhooks import stripe_webhook
from learnhub.live.hub import Hub
from learnhub.observability import metrics as observed_metrics
from learnhub.observability import requests as observed_requests
from learnhub.observability import tracing
from learnhub.worker import run_forever, watch_outbox

logger = logging.getLogger("learnhub")


async def healthz(request: Request) -> Response:
    """Liveness: the process serves HTTP (no store I/O, so a slow store never restarts the gateway)."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: every store answers, within READINESS_TIMEOUT_SECONDS (0.5 s; it took 5 s to
    report a frozen store before). A required store down: 503 naming it in `unavailable`; an
    optional one (search, object storage): ready, named in `degraded`."""
    stores: Stores = request.app.state.stores
    failed = await stores.readiness()
    required = sorted(name for name in failed if name not in OPTIONAL_STORES)
    degraded = sorted(name for name in failed if name in OPTIONAL_STORES)
    body: dict[str, Any] = {"status": "unavailable" if required else "ready"}
    if required:
        body["unavailable"] = required
        body["detail"] = {name: failed[name] for name in required}
    if degraded:  # still serving: only search and uploads are reduced
        body["degraded"] = degraded
    return JSONResponse(body, status_code=503 if required else 200)


def _observe(settings: Settings) -> None:
    """What the process measures and logs per request (learnhub/observability)."""
    observed_metrics.enabled = settings.metrics_enabled
    observed_requests.log_enabled = settings.request_log_enabled


async def _stop_observing(gauges: asyncio.Task[None] | None) -> None:
    if gauges is not None:
        gauges.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await gauges
    tracing.flush()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # This worker's live-socket gauge leaves the sum; its counters stay, as they should.
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]  # untyped upstream


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    _observe(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tracing.configure()
        stores = await Stores.open(settings)
        try:
            for problem in await stores.check_reachable():
                logger.warning("starting without %s; its features answer degraded until it is back", problem)
            await stores.bind_documents()
            with contextlib.suppress(Exception):  # read the embedding model's row before traffic
                await active_model(stores.engine, stores.embedder.name)
            app.state.stores = stores
            app.state.persisted = PersistedQueries(stores)
            app.state.public_cache = PublicCache(stores.redis, settings)
            app.state.live = Hub(settings, stores.redis)
            tune_gc()
            # Analytics events are written in bulk by this buffer; leaving the block flushes it,
            # after the in-process worker stopped (learnhub/analytics/buffer.py).
            async with analytics_buffer.running(stores.engine, settings):
                worker = asyncio.create_task(run_forever(stores)) if settings.worker_in_process_enabled else None
                gauges = asyncio.create_task(watch_outbox(stores)) if settings.metrics_enabled else None
                try:
                    yield
                finally:
                    await _stop_observing(gauges)
                    if worker is not None:
                        worker.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await worker
                    await app.state.live.close()
        finally:
            await stores.close()

    view = GatewayGraphQL(
        settings,
        schema=build_schema(introspection=settings.introspection_enabled, plan_check=settings.plan_check),
        # Live updates: graphql-transport-ws only (the older graphql-ws has no auth step to hook);
        # the subscriptions-per-socket limit is the handler's, with an error code.
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection=None,
        # Browser pages may open sockets from the origins CORS allows (same-origin ones always).
        allowed_origins=settings.cors_origins,
    )
    routes = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    routes.append(Route("/api/v1/quizzes/{quiz_id:str}", get_quiz, methods=["GET"]))
    routes.append(Route("/webhooks/stripe", stripe_webhook, methods=["POST"]))
    if settings.legacy_questions_enabled:
        routes.append(Route("/questions", list_questions, methods=["GET"]))
    if settings.graphiql_enabled:
        routes.append(Route("/static/graphiql/{name}", graphiql_asset, methods=["GET", "HEAD"]))
    middleware = [Middleware(BodySizeLimit, limit=settings.max_body_bytes)]
    cors: dict[str, Any] | None = None
    if settings.cors_origins:
        # Bearer tokens, not cookies: no credentials, so a listed origin gets nothing a script could not ask for anyway.
        cors = {
            "allow_origins": settings.cors_origins,
            "allow_methods": ["GET", "POST"],
            "allow_headers": ["authorization", "content-type", "x-request-id", "apollo-require-preflight"],
            "expose_headers": ["x-request-id", "retry-after"],
            "max_age": 600,
        }
        middleware.append(Middleware(CORSMiddleware, **cors))
    if settings.fast_path_enabled:
        app: Starlette = GatewayApp(
            view=view,
            body_limit=settings.max_body_bytes,
            cors=cors,
            routes=routes,
            lifespan=lifespan,
            middleware=middleware,
        )
    else:
        app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.settings = settings
    return app
