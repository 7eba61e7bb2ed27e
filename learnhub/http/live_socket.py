"""The graphql-transport-ws socket: authenticated in `connection_init`, counted per user, watched.

The access token comes in the `connection_init` payload (`{"authorization": "Bearer <token>"}`,
browsers cannot set headers on a WebSocket). A missing, invalid or ended session is refused
with the protocol's 4403 (Forbidden), as is a socket that outlives its token's expiry or whose
session is revoked: every `live_check_interval_seconds` the socket re-checks its session in
Redis (one MGET) and refreshes its slot in the per-user socket count. A user over
`live_sockets_per_user` gets 4429; a socket over `live_subscriptions_per_socket` gets an
`error` message with the code SUBSCRIPTION_LIMIT for that subscription only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError
from redis.exceptions import RedisError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    NextMessage,
    SubscribeMessage,
)
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from learnhub.auth.sessions import session_is_live
from learnhub.auth.tokens import InvalidToken, verify_access_token
from learnhub.auth.viewer import viewer_from_header
from learnhub.graphql.context import Context
from learnhub.graphql.execution.errors import classify, formatted
from learnhub.live import sockets
from learnhub.observability import metrics

if TYPE_CHECKING:
    from strawberry.schema.schema import StreamResult

logger = logging.getLogger("learnhub.live")

FORBIDDEN = 4403  # the protocol's code for a refused connection_init
TOO_MANY = 4429  # the protocol's code for too many initialisation requests; here too many sockets


def _bearer(payload: dict[str, Any]) -> str | None:
    value = payload.get("authorization") or payload.get("Authorization")
    if not isinstance(value, str) or not value:
        return None
    return value if " " in value else f"Bearer {value}"


class LiveSocketHandler(BaseGraphQLTransportWSHandler[Context, None]):
    socket_id: str = ""
    user_id: uuid.UUID | None = None
    watch: asyncio.Task[None] | None = None
    counted = False  # in the live-sockets gauge

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self.connection_timed_out:
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            await self.websocket.close(code=4400, reason="Invalid connection init payload")
            return
        if self.connection_init_received:
            await self.websocket.close(code=4429, reason="Too many initialisation requests")
            return
        self.connection_init_received = True
        refusal = await self._authenticate(payload)
        if refusal is not None:
            await self.websocket.close(code=refusal[0], reason=refusal[1])
            return
        metrics.LIVE_SOCKETS.inc()  # before the ack: a client that saw the ack finds itself counted
        self.counted = True
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True

    async def _authenticate(self, payload: dict[str, Any]) -> tuple[int, str] | None:
        ctx = self.context
        settings = ctx.settings
        bearer = _bearer(payload)
        if bearer is None:
            return FORBIDDEN, "Send the access token in connection_init: {authorization: 'Bearer <token>'}"
        try:
            expires_at = verify_access_token(settings, bearer.partition(" ")[2].strip()).expires_at
        except InvalidToken:
            return FORBIDDEN, "The access token is invalid or has expired"
        viewer = await viewer_from_header(settings, ctx.stores, bearer)
        if viewer.user_id is None or viewer.session_id is None:
            return FORBIDDEN, viewer.token_error or "Sign in again"
        self.socket_id = uuid.uuid4().hex
        lifetime = settings.live_check_interval_seconds * sockets.SLOT_LIFETIME_INTERVALS
        held = await sockets.hold_slot(
            ctx.stores.redis,
            viewer.user_id,
            self.socket_id,
            limit=settings.live_sockets_per_user,
            lifetime_seconds=lifetime,
        )
        if not held:
            return TOO_MANY, f"At most {settings.live_sockets_per_user} live sockets per user"
        self.user_id = viewer.user_id
        ctx.viewer = viewer
        ctx.fresh_loaders()
        self.watch = asyncio.create_task(self._watch(uuid.UUID(viewer.session_id), expires_at), name="live-socket")
        return None

    async def _watch(self, session_id: uuid.UUID, expires_at: int) -> None:
        """Close the socket when its token expires or its session ends; keep its slot held."""
        ctx = self.context
        settings = ctx.settings
        interval = settings.live_check_interval_seconds
        assert self.user_id is not None
        while True:
            # Wake at the next check, or exactly when the token expires if that comes first.
            await asyncio.sleep(max(0.0, min(interval, expires_at - time.time())))
            if time.time() >= expires_at:
                await self.websocket.close(code=FORBIDDEN, reason="The access token has expired")
                return
            try:
                if not await session_is_live(ctx.stores, session_id):
                    await self.websocket.close(code=FORBIDDEN, reason="The session has ended")
                    return
                await sockets.hold_slot(
                    ctx.stores.redis,
                    self.user_id,
                    self.socket_id,
                    limit=settings.live_sockets_per_user + 1,  # already held: a refresh, never refused
                    lifetime_seconds=interval * sockets.SLOT_LIFETIME_INTERVALS,
                )
            except RedisError as exc:
                logger.warning("live socket check failed; trying again: %s", exc)

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.context.settings.live_subscriptions_per_socket
        if self.connection_acknowledged and message["id"] not in self.operations and len(self.operations) >= limit:
            error = GraphQLError(
                f"At most {limit} subscriptions per socket", extensions={"code": "SUBSCRIPTION_LIMIT", "limit": limit}
            )
            await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
            return
        await super().handle_subscribe(message)

    def _shaped(self, errors: list[GraphQLError], *, pre_execution: bool, data_is_none: bool) -> list[Any]:
        """Errors as the HTTP endpoint sends them: a stable `extensions.code` on each."""
        shaped = []
        for error in errors:
            code, expected = classify(error, pre_execution=pre_execution, data_is_none=data_is_none)
            mask = self.context.settings.is_production
            shaped.append(formatted(error, code, expected, mask=mask, request_id=self.context.request_id))
        return shaped

    async def _handle_pre_execution_error(self, operation: Operation[Context, None], result: PreExecutionError) -> None:
        assert result.errors
        if self._get_pre_execution_close_reason(result.errors[0]) is not None:
            await super()._handle_pre_execution_error(operation, result)  # closes the socket (protocol)
            return
        payload = self._shaped(result.errors, pre_execution=True, data_is_none=True)
        await operation.send_operation_message({"id": operation.id, "type": "error", "payload": payload})

    async def _send_result_stream(self, operation: Operation[Context, None], result_source: StreamResult) -> None:
        first = True
        async for result in result_source:
            if first and isinstance(result, PreExecutionError):
                await self._handle_pre_execution_error(operation, result)
                return
            if not isinstance(result, ExecutionResult):
                await self._reject_incremental_delivery(operation)
                return
            if first and result.data is None and result.errors:
                # Refused before its first event (bad cursor, RESYNC_REQUIRED, someone else's
                # attempt): the protocol's `error` message, which ends the operation.
                payload = self._shaped(result.errors, pre_execution=False, data_is_none=True)
                await operation.send_operation_message({"id": operation.id, "type": "error", "payload": payload})
                return
            next_payload: dict[str, Any] = {"data": result.data}
            if result.errors:
                next_payload["errors"] = self._shaped(
                    result.errors, pre_execution=False, data_is_none=result.data is None
                )
            if result.extensions:
                next_payload["extensions"] = result.extensions
            message: NextMessage = {"id": operation.id, "type": "next", "payload": next_payload}  # type: ignore[typeddict-item]
            await operation.send_operation_message(message)
            first = False

    async def shutdown(self) -> None:
        if self.counted:
            metrics.LIVE_SOCKETS.dec()
            self.counted = False
        if self.watch is not None:
            self.watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.watch
        if self.user_id is not None:
            with contextlib.suppress(RedisError):
                await sockets.release_slot(self.context.stores.redis, self.user_id, self.socket_id)
        await super().shutdown()
