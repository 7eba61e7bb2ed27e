"""The GraphQL HTTP endpoint: context per request, error codes, GraphQL-over-HTTP status codes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from learnhub import stats
from learnhub.auth.viewer import Viewer, viewer_from_header
from learnhub.client_address import client_ip
from learnhub.context import Context
from learnhub.errors import RequestRefused
from learnhub.graphiql import graphiql_html
from learnhub.persisted import PersistedQueries
from learnhub.ratelimit import Bucket
from learnhub.schema.errors import classify, formatted
from learnhub.settings import Settings
from learnhub.stores import Stores

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

_HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def _wants_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


# Content types a browser may POST cross-site without a preflight (HTML forms, text/plain).
_SIMPLE_CONTENT_TYPES = frozenset({"", "application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
# Headers a cross-site form cannot set, so their presence proves a preflighted request.
_PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name", "graphql-preflight")


def _check_csrf(request: Request) -> None:
    """No state change without a CORS preflight: GET never runs mutations (Strawberry refuses
    them), and a POST in a form-compatible content type must carry a non-simple header."""
    if request.method != "POST":
        return
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type in _SIMPLE_CONTENT_TYPES and not any(h in request.headers for h in _PREFLIGHT_HEADERS):
        raise RequestRefused(
            400,
            "CSRF_PREFLIGHT_REQUIRED",
            "Send JSON (Content-Type: application/json) or add an Apollo-Require-Preflight header",
        )


async def _rate_limit(stores: Stores, viewer: Viewer, ip: str) -> None:
    """One Redis round trip: the IP's bucket, and the user's too when signed in."""
    s = stores.settings
    buckets = [Bucket(f"rl:ip:{ip}", s.rate_limit_ip_burst, s.rate_limit_ip_per_second)]
    if viewer.user_id is not None:
        buckets.append(Bucket(f"rl:user:{viewer.user_id}", s.rate_limit_user_burst, s.rate_limit_user_per_second))
    verdict = await stores.limiter.check(buckets)
    if not verdict.allowed:
        wait = verdict.retry_after_seconds
        raise RequestRefused(
            429,
            "RATE_LIMITED",
            f"Too many requests; retry in {wait} s",
            headers={"retry-after": str(wait)},
            retryAfterSeconds=wait,
        )


class GatewayGraphQL(GraphQL[Context, None]):
    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        self.settings = settings
        super().__init__(graphql_ide="graphiql" if settings.graphiql_enabled else None, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        request.state.request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        try:
            _check_csrf(request)
            response = await self.run(request)
        except RequestRefused as exc:
            body = {"errors": [{"message": exc.message, "extensions": {"code": exc.code, **exc.extensions}}]}
            media = GRAPHQL_RESPONSE if _wants_graphql_response(request) else JSON
            response = Response(orjson.dumps(body), status_code=exc.status, media_type=media, headers=exc.headers)
        except HTTPException as exc:
            # Malformed requests get a GraphQL-shaped body too, never a bare text line.
            code = _HTTP_CODES.get(exc.status_code, "BAD_REQUEST")
            body = {"errors": [{"message": exc.reason, "extensions": {"code": code}}]}
            media = GRAPHQL_RESPONSE if _wants_graphql_response(request) else JSON
            response = Response(orjson.dumps(body), status_code=exc.status_code, media_type=media)
        if getattr(request.state, "request_error", False) and _wants_graphql_response(request):
            # GraphQL over HTTP: a request that never reached execution is a 4xx for this media type.
            response.status_code = 400
        if response.media_type == JSON and _wants_graphql_response(request):
            response.headers["content-type"] = GRAPHQL_RESPONSE
        response.headers["x-request-id"] = request.state.request_id
        await response(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        stores: Stores = request.app.state.stores
        request_id = getattr(request.state, "request_id", "") or uuid.uuid4().hex
        viewer = await viewer_from_header(self.settings, stores, request.headers.get("authorization"))
        if self.settings.rate_limit_enabled:
            await _rate_limit(stores, viewer, client_ip(request, self.settings))
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            stores=stores,
            viewer=viewer,
            request_id=request_id,
            round_trips=stats.begin(),
        )

    async def execute_single(  # noqa: PLR0917 - Strawberry's signature
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        persisted: PersistedQueries = request.app.state.persisted
        await persisted.resolve(request_data)
        limit = self.settings.operation_timeout_seconds
        deadline = asyncio.timeout(limit)
        try:
            async with deadline:
                return await super().execute_single(
                    request, request_adapter, sub_response, context, root_value, request_data
                )
        except TimeoutError:
            if not deadline.expired():
                raise
            # Work in flight is cancelled: database transactions roll back, nothing half-written commits.
            raise RequestRefused(
                504, "OPERATION_TIMEOUT", f"The operation took longer than {limit:g} s", limit=limit
            ) from None

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html())

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        response: dict[str, Any] = {}
        pre_execution = isinstance(result, PreExecutionError)
        if result.errors:
            masked = self.settings.is_production
            errors = []
            refused = False
            for error in result.errors:
                code, expected = classify(error, pre_execution=pre_execution, data_is_none=result.data is None)
                refused = refused or (result.data is None and error.path is None and expected)
                errors.append(formatted(error, code, expected, mask=masked, request_id=request.state.request_id))
            response["errors"] = errors
            if refused:
                request.state.request_error = True
        if not getattr(request.state, "request_error", False):
            response["data"] = result.data
        extensions = dict(result.extensions or {})
        if self.settings.round_trip_stats_enabled:
            counter = stats.current()
            if counter is not None:
                extensions["roundTrips"] = {"postgres": counter["postgres"], "mongodb": counter["mongodb"]}
        if extensions:
            response["extensions"] = extensions
        return response  # type: ignore[return-value]
