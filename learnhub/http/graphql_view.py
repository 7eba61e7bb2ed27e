"""The GraphQL HTTP endpoint: context per request, error codes, GraphQL-over-HTTP status codes."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from learnhub.auth.viewer import Viewer, viewer_from_header
from learnhub.caching.store import Lookup, PublicCache
from learnhub.core import stats
from learnhub.core.client_address import client_ip
from learnhub.core.errors import RequestRefused, StoreUnavailable
from learnhub.core.settings import Settings
from learnhub.datasources.guard import outage_store
from learnhub.datasources.ratelimit import Bucket
from learnhub.datasources.stores import Stores
from learnhub.graphql.context import Context
from learnhub.graphql.execution.errors import STORE_UNAVAILABLE, classify, formatted, naming_outages
from learnhub.graphql.execution.input_guard import request_text_problem
from learnhub.graphql.execution.persisted import PersistedQueries
from learnhub.http.graphiql import graphiql_html, wants_graphiql
from learnhub.http.live_socket import LiveSocketHandler
from learnhub.http.middleware import error_body
from learnhub.observability import requests as observe
from learnhub.observability import tracing

logger = logging.getLogger("learnhub.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

_HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


# Cache-Control of every response but a cacheable answer (learnhub/caching): a signed-in
# viewer's answer or an error must not be kept by a browser or a shared HTTP cache.
PRIVATE = "private, no-store"


class _Encoded(dict[str, Any]):
    """A response body already encoded (a public-cache answer): `encode_json` passes it through."""

    __slots__ = ("body",)

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body


def _answer_body(data: bytes, extensions: bytes | None) -> bytes:
    """`{"data": ..., "extensions": ...}` from both already encoded, as orjson would write the whole."""
    if extensions is None:
        return b'{"data":' + data + b"}"
    return b'{"data":' + data + b',"extensions":' + extensions + b"}"


def _wants_graphql_response(request: Request) -> bool:
    return GRAPHQL_RESPONSE in request.headers.get("accept", "")


def _refusal(
    request: Request,
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> Response:
    """A request refused before execution: one GraphQL error, in the media type the client asked
    for, with the trace id when the request is traced (as execution errors carry it)."""
    media = GRAPHQL_RESPONSE if _wants_graphql_response(request) else JSON
    extra = dict(extensions or {})
    if (trace_id := tracing.current_trace_id()) is not None:
        extra["traceId"] = trace_id
    body = error_body(message, code, **extra)
    return Response(body, status_code=status, media_type=media, headers=headers)


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


def _outage_refusal(exc: Exception) -> RequestRefused:
    """A store down before execution began (the session check, a persisted query, the trusted
    documents): 503 naming the store, not a 500 with a null body. Anything else is re-raised."""
    store = outage_store(exc)
    if store is None:
        raise exc
    logger.warning("request refused: %s unavailable: %r", store, exc)
    outage = StoreUnavailable(store)
    return RequestRefused(503, outage.code, outage.message, headers={"retry-after": "1"}, store=store)


def _is_subscription(query: object, operation_name: object) -> bool:
    """Whether the operation to run is a subscription, which HTTP does not serve (graphql-core
    would run its root field as a query and fail). Parsed only when the word appears at all;
    an unparsable document is left to the usual path and its error."""
    if not isinstance(query, str) or "subscription" not in query:
        return False
    try:
        operation = get_operation_ast(parse(query), operation_name if isinstance(operation_name, str) else None)
    except GraphQLError:
        return False
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


class _PostAdapter:
    """The one thing `execute_single` asks of a request adapter: its method (which operation
    types it may run). The lean path serves POSTs only."""

    method = "POST"


_POST: Any = _PostAdapter()


class GatewayGraphQL(GraphQL[Context, None]):
    # Live updates: graphql-transport-ws sockets authenticated in connection_init (live_socket.py).
    graphql_transport_ws_handler_class = LiveSocketHandler

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        self.settings = settings
        self._public_cache_control = f"public, max-age={settings.public_cache_ttl_seconds}"
        # What a cache hit reports beside its data (no store was asked), encoded once.
        hit: dict[str, Any] = {}
        if settings.round_trip_stats_enabled:
            hit["roundTrips"] = {"postgres": 0, "mongodb": 0}
        if not settings.is_production:
            hit["cache"] = "HIT"
        self._hit_extensions = orjson.dumps(hit) if hit else None
        super().__init__(graphql_ide="graphiql" if settings.graphiql_enabled else None, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = self._request(scope, receive)
        try:
            _check_csrf(request)
            response = await self.run(request)
        except ClientDisconnect:
            # The client went away before sending its whole body: nobody is left to answer.
            logger.debug("request %s: client disconnected before its body was read", request.state.request_id)
            observe.finish(request.state.observation, 499, None)  # nginx's number for a client gone
            return
        except (RequestRefused, HTTPException) as exc:
            response = self._refused(request, exc)
        except Exception as exc:
            try:
                refusal = _outage_refusal(exc)
            except Exception:
                # Starlette's error middleware answers 500 and logs it; counted first, as the lean
                # path counts its own (http/fast_path.py), so the failing-requests alert sees it.
                observe.finish(request.state.observation, 500, None)
                raise
            response = self._refused(request, refusal)
        await self._send(request, response, scope, receive, send)

    async def serve_one(self, scope: Scope, receive: Receive, send: Send, body: bytes, data: Mapping[str, Any]) -> None:
        """The lean path (learnhub/http/fast_path.py): one operation from a JSON POST body that is
        already read and parsed, with `query`, `variables`, `extensions` and `operationName` of the
        types Strawberry requires. What `run` would do for it, minus the steps that cannot apply:
        no GraphiQL page, no batch, no stream transport, no multipart, no CSRF question (JSON
        needs a preflight), no second parse of the body."""
        request = self._request(scope, receive)
        request._body = body  # Starlette's own cache of the read body, for anything reading it again
        try:
            sub_response = await self.get_sub_response(request)
            context = await self.get_context(request, sub_response)
            request.state.single = True
            request_data = GraphQLRequestData(
                query=data.get("query"),
                variables=data.get("variables"),
                operation_name=data.get("operationName"),
                extensions=data.get("extensions"),
            )
            result = await self.execute_single(request, _POST, sub_response, context, None, request_data)
            response = self.create_response(await self.process_result(request, result), sub_response)
        except (RequestRefused, HTTPException) as exc:
            response = self._refused(request, exc)
        except Exception as exc:
            response = self._refused(request, _outage_refusal(exc))
        await self._send(request, response, scope, receive, send)

    def _request(self, scope: Scope, receive: Receive) -> Request:
        request = Request(scope, receive)
        request.state.request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        request.state.observation = observe.begin(request.state.request_id, request.headers)
        return request

    def _refused(self, request: Request, exc: RequestRefused | HTTPException) -> Response:
        code = exc.code if isinstance(exc, RequestRefused) else _HTTP_CODES.get(exc.status_code, "BAD_REQUEST")
        observe.note_error(code)
        if isinstance(exc, RequestRefused):
            return _refusal(request, exc.status, exc.code, exc.message, headers=exc.headers, extensions=exc.extensions)
        # Malformed requests get a GraphQL-shaped body too, never a bare text line.
        return _refusal(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "BAD_REQUEST"), exc.reason)

    async def _send(self, request: Request, response: Response, scope: Scope, receive: Receive, send: Send) -> None:
        """Status, media type and caching headers every answer of this endpoint carries, then send it."""
        if getattr(request.state, "request_error", False) and _wants_graphql_response(request):
            # GraphQL over HTTP: a request that never reached execution is a 4xx for this media type.
            response.status_code = 400
        elif getattr(request.state, "store_unavailable", False) and _wants_graphql_response(request):
            # No data at all because a store is down: a status that monitoring and retries see.
            response.status_code = 503
        if response.media_type == JSON and _wants_graphql_response(request):
            response.headers["content-type"] = GRAPHQL_RESPONSE
        if getattr(request.state, "public_answer", False):
            response.headers["cache-control"] = self._public_cache_control
            response.headers["vary"] = "Authorization, Accept"
        else:
            response.headers.setdefault("cache-control", PRIVATE)
        response.headers["x-request-id"] = request.state.request_id
        observe.finish(request.state.observation, response.status_code, stats.current())
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
        if not isinstance(request_data.operation_name, str | None):
            # Strawberry checks the type of `query`, `variables` and `extensions`, not this one.
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        refused = request_text_problem(request_data.query, request_data.operation_name)
        if refused is not None:
            return PreExecutionError(data=None, errors=[refused])
        if _is_subscription(request_data.query, request_data.operation_name):
            raise RequestRefused(
                400, "BAD_REQUEST", "Subscriptions are served over a WebSocket on /graphql (graphql-transport-ws)"
            )
        persisted: PersistedQueries = request.app.state.persisted
        await persisted.resolve(request_data)
        observe.note_operation(request_data.query, request_data.operation_name)
        cache: PublicCache = request.app.state.public_cache
        authorization = request.headers.get("authorization")
        if getattr(request.state, "single", False) and cache.cacheable(
            authorization, request_data.query, request_data.operation_name
        ):
            assert request_data.query is not None  # cacheable() checked it
            lookup = await cache.lookup(request_data.query, request_data.operation_name, request_data.variables)
            request.state.public_cache = lookup
            if lookup is not None and lookup.data is not None:
                return ExecutionResult(data=None, errors=None)  # process_result serves the stored answer
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

    async def execute_operation(  # noqa: PLR0917 - Strawberry's signature
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> Any:
        # The public cache answers single operations only: a batch's answers are encoded together.
        request.state.single = isinstance(request_data, GraphQLRequestData)
        return await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        return wants_graphiql(request.method, request.query_params, request.headers)

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html())

    def parse_json(self, data: str | bytes) -> Any:
        """The request body (or a `variables` or `extensions` parameter) as JSON, or a 400.

        UTF-8 only (RFC 8259 section 8.1): `json.loads` would also guess UTF-16 or UTF-32 from a byte
        order mark. Nesting deeper than the interpreter's recursion limit (about 1,000 levels) is
        refused, as is anything that is not a request object: Strawberry would fail on either with a 500.
        """
        try:
            value = json.loads(data.decode() if isinstance(data, bytes) else data)
        except UnicodeDecodeError as exc:
            raise HTTPException(400, f"The request body is not UTF-8: {exc.reason} at byte {exc.start}") from None
        except json.JSONDecodeError as exc:
            raise HTTPException(400, f"The request body is not valid JSON: {exc}") from None
        except RecursionError:
            raise HTTPException(400, "The request body's JSON is nested too deeply") from None
        if isinstance(value, dict) or (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            return value  # a list is refused next unless batching is on
        raise HTTPException(400, 'Expected a JSON object, such as {"query": "{ __typename }"}')

    def encode_json(self, data: object) -> bytes:
        if type(data) is _Encoded:
            return data.body
        return orjson.dumps(data)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        lookup: Lookup | None = getattr(request.state, "public_cache", None)
        if lookup is not None and lookup.data is not None:
            request.state.public_answer = True
            return _Encoded(_answer_body(lookup.data, self._hit_extensions))  # type: ignore[return-value]
        response: dict[str, Any] = {}
        pre_execution = isinstance(result, PreExecutionError)
        # Errors beside data that resolvers reported without failing their field
        # (Context.report, e.g. SEARCH_DEGRADED), after graphql-core's own.
        reported: list[GraphQLError] = getattr(request.state, "reported_errors", [])
        if result.errors or reported:
            masked = self.settings.is_production
            errors = []
            refused = False
            codes = set()
            for error in [*(result.errors or []), *reported]:
                error = naming_outages(error)  # noqa: PLW2901 - the same error, its store named
                code, expected = classify(error, pre_execution=pre_execution, data_is_none=result.data is None)
                codes.add(code)
                refused = refused or (result.data is None and error.path is None and expected)
                errors.append(formatted(error, code, expected, mask=masked, request_id=request.state.request_id))
            response["errors"] = errors
            if refused:
                request.state.request_error = True
            elif result.data is None and codes == {STORE_UNAVAILABLE}:
                # Nothing could be answered, only because a store is down: 503 (see _send).
                request.state.store_unavailable = True
        if not getattr(request.state, "request_error", False):
            response["data"] = result.data
        extensions = dict(result.extensions or {})
        if self.settings.round_trip_stats_enabled:
            counter = stats.current()
            if counter is not None:
                extensions["roundTrips"] = {"postgres": counter["postgres"], "mongodb": counter["mongodb"]}
                if counter["typesense"]:
                    extensions["roundTrips"]["typesense"] = counter["typesense"]
        if lookup is not None and "errors" not in response:
            # An answer with errors is never kept: the error may be transient (a store down).
            return await self._public_answer(request, lookup, result.data, extensions)  # type: ignore[return-value]
        if extensions:
            response["extensions"] = extensions
        return response  # type: ignore[return-value]

    async def _public_answer(
        self, request: Request, lookup: Lookup, data: dict[str, Any] | None, extensions: dict[str, Any]
    ) -> _Encoded:
        """A cacheable answer: its data encoded once, for the response and for the cache."""
        encoded = orjson.dumps(data)
        if lookup.consulted:
            cache: PublicCache = request.app.state.public_cache
            await cache.store(lookup, encoded)
            if not self.settings.is_production:
                extensions["cache"] = "MISS"
        request.state.public_answer = True
        return _Encoded(_answer_body(encoded, orjson.dumps(extensions) if extensions else None))
