"""A graphql-transport-ws client over a real socket (the `websockets` library), for live tests."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PROTOCOL = "graphql-transport-ws"
# Generous: a busy machine may take a while; every wait ends as soon as its condition holds.
WAIT_SECONDS = 15.0


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + "/graphql"


class LiveSocket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.pending: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, base_url: str, token: str | None, payload: dict[str, Any] | None = None) -> LiveSocket:
        """Connect and send connection_init (the token as `authorization`); the ack is not awaited."""
        ws = await connect(ws_url(base_url), subprotocols=[PROTOCOL])  # type: ignore[list-item]
        init = payload if payload is not None else ({"authorization": f"Bearer {token}"} if token else {})
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        return cls(ws)

    @classmethod
    async def signed_in(cls, base_url: str, token: str) -> LiveSocket:
        socket = await cls.open(base_url, token)
        ack = await socket.receive()
        assert ack["type"] == "connection_ack", ack
        return socket

    async def receive(self, within: float = WAIT_SECONDS) -> dict[str, Any]:
        if self.pending:
            return self.pending.pop(0)
        raw = await asyncio.wait_for(self.ws.recv(), within)
        message: dict[str, Any] = json.loads(raw)
        if message.get("type") == "ping":
            await self.ws.send(json.dumps({"type": "pong"}))
            return await self.receive(within)
        return message

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        op_id = str(next(self.ids))
        message = {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
        await self.ws.send(json.dumps(message))
        return op_id

    async def message_for(self, op_id: str, within: float = WAIT_SECONDS) -> dict[str, Any]:
        """The next message of one operation (others are kept for later)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        for index, message in enumerate(self.pending):
            if message.get("id") == op_id:
                return self.pending.pop(index)
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - loop.time()))
            message: dict[str, Any] = json.loads(raw)
            if message.get("id") == op_id:
                return message
            self.pending.append(message)

    async def next_data(self, op_id: str, within: float = WAIT_SECONDS) -> dict[str, Any]:
        message = await self.message_for(op_id, within)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def closed(self, within: float = WAIT_SECONDS) -> tuple[int | None, str]:
        """Wait (up to `within` seconds) for the server to close the socket: (code, reason)."""
        try:
            async with asyncio.timeout(within):
                while True:
                    await self.ws.recv()
        except ConnectionClosed as exc:
            received = exc.rcvd
            return (received.code, received.reason) if received is not None else (None, "")
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.ws.close()
