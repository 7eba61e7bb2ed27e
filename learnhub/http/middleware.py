"""ASGI middleware applied to every route."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def error_body(message: str, code: str, **extensions: Any) -> bytes:
    """The body of every HTTP-level refusal: one GraphQL error with a stable `extensions.code`, so
    clients parse a refused request like any other GraphQL response."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code, **extensions}}]})


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse request bodies over `limit` bytes with 413, whether or not Content-Length is honest:
    the declared length is checked first, then the bytes actually received."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = error_body(f"Request body over {self.limit} bytes", "PAYLOAD_TOO_LARGE", limit=self.limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
