"""The GraphQL HTTP endpoint: context per request, error codes, GraphQL-over-HTTP status codes."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from learnhub import stats
from learnhub.auth.viewer import viewer_from_header
from learnhub.context import Context
from learnhub.graphiql import graphiql_html
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
            response = await self.run(request)
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
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            stores=stores,
            viewer=viewer_from_header(self.settings, request.headers.get("authorization")),
            request_id=request_id,
            round_trips=stats.begin(),
        )

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
