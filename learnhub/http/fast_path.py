"""The lean path: a JSON POST of one operation to `/graphql` skips the general stack.

Most traffic is that one request shape, and in front of its execution sat two general layers.
Measured in process on the benchmark's hot read (1 PostgreSQL + 1 MongoDB round trip, CPU per
request): the whole application took 1.59 ms, the GraphQL view alone 1.47 ms (the Starlette
stack: error middleware, body limit, exception middleware, router), and `Schema.execute` alone
1.23 ms (Strawberry's general `run`: request adapter, GraphiQL and method checks, content-type and
stream-transport parsing, a second look at the body).

`GatewayApp` takes the requests it can answer exactly as the general path would and hands them
to `GatewayGraphQL.serve_one` with the body already read and parsed; everything else (GET, batches,
multipart uploads, streaming, GraphiQL, CORS preflights, other routes, websockets, anything
malformed) goes through the general stack unchanged, with the bytes already read replayed to it.
The HTTP rules stay where they are: a body over the limit is refused by the same middleware,
malformed JSON gets the same 400, CORS headers come from Starlette's own middleware code,
persisted queries, the public cache, limits, rate limits and error shaping run inside the view's
own steps. tests/http/test_fast_path.py sends a corpus through both paths and compares.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import Message, Receive, Scope, Send

from learnhub.http.graphql_view import GatewayGraphQL
from learnhub.observability import requests as observe

PATH = "/graphql"
_TYPES = {"query": str, "operationName": str, "variables": dict, "extensions": dict}


def _eligible_headers(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    """JSON in, and no streamed answer asked for."""
    json_body = False
    for name, value in headers:
        if name == b"content-type":
            json_body = value.split(b";", 1)[0].strip().lower() == b"application/json"
        elif name == b"accept" and (b"multipart" in value or b"event-stream" in value):
            return False
    return json_body


def _one_operation(body: bytes) -> dict[str, Any] | None:
    """The body as one operation with the field types Strawberry requires, or None for the general
    path to answer (a batch, a wrong type, or JSON orjson refuses: `json` would accept NaN and
    integers over 64 bits, and reports its own errors)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict:
        return None
    for key, kind in _TYPES.items():
        value = data.get(key)
        if value is not None and type(value) is not kind:
            return None
    return data


class GatewayApp(Starlette):
    """The Starlette application, with the lean path in front of its middleware stack."""

    def __init__(self, *, view: GatewayGraphQL, body_limit: int, cors: Mapping[str, Any] | None, **kwargs: Any) -> None:
        """`cors`: the CORS middleware's options when it is installed, so the lean path's answers
        carry the headers it would add."""
        super().__init__(**kwargs)
        self._view = view
        self._body_limit = body_limit
        self._cors = CORSMiddleware(self._view, **cors) if cors is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] == "POST"
            and scope["path"] == PATH
            and _eligible_headers(scope["headers"])
        ):
            await super().__call__(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # a disconnect: the general path handles it as it always has
            size += len(message.get("body", b""))
            if size > self._body_limit or not message.get("more_body", False):
                break
        body, data = b"", None
        if messages[-1]["type"] == "http.request" and size <= self._body_limit:
            body = b"".join(m.get("body", b"") for m in messages)
            data = _one_operation(body)
        if data is None:
            await super().__call__(scope, _replay(messages, receive), send)
            return
        scope["app"] = self
        if self._cors is not None:
            send = functools.partial(self._cors.send, send=send, request_headers=Headers(scope=scope))
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._view.serve_one(scope, receive, tracking_send, body, data)
        except Exception:
            # As Starlette's error middleware does on the general path: a plain 500, then the
            # exception goes on to the server's log.
            observe.finish(scope.get("state", {}).get("observation"), 500, None)
            if not started:
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """`receive` that gives back the messages already read, then reads on."""
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
