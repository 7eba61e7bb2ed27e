"""The typed per-request context every resolver receives."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from learnhub.auth.viewer import Viewer
from learnhub.core.client_address import client_ip
from learnhub.core.errors import Unauthenticated
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.sessions import Device
from learnhub.datasources.stores import Stores
from learnhub.loaders.registry import Loaders


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    stores: Stores
    viewer: Viewer
    request_id: str
    round_trips: Counter[str] = field(default_factory=Counter)
    _storage_reachable: bool | None = None
    # The `connection_init` payload of a live socket (graphql-transport-ws); None over HTTP.
    connection_params: dict[str, object] | None = None

    @cached_property
    def device(self) -> Device:
        """User agent and client IP, recorded on sessions and used for per-IP limits."""
        user_agent = self.request.headers.get("user-agent", "")[:300]
        return Device(user_agent=user_agent, ip=client_ip(self.request, self.settings))

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.stores.engine, self.stores.mongo_db, self.viewer)

    def fresh_loaders(self) -> None:
        """Forget what the loaders hold: a live socket's context lasts as long as the socket, and
        each event must be read as it is now, for the viewer as they are now."""
        self.__dict__.pop("loaders", None)

    async def storage_reachable(self) -> bool:
        """Whether object storage answers, asked once per request (download links are signed
        locally, so only this tells a client that a link would not work)."""
        if self._storage_reachable is None:
            try:
                await self.stores.storage.ping()
                self._storage_reachable = True
            except Exception:
                self._storage_reachable = False
        return self._storage_reachable

    def report(self, error: GraphQLError) -> None:
        """Add an error to the response's `errors` without failing the field that found it: the
        field answers with what it has (partial data), the error says what is missing."""
        state = self.request.state
        if not hasattr(state, "reported_errors"):
            state.reported_errors = []
        state.reported_errors.append(error)

    def require_user(self) -> uuid.UUID:
        """The signed-in viewer's user id, or an UNAUTHENTICATED error saying what is wrong."""
        if self.viewer.user_id is None:
            raise Unauthenticated(self.viewer.token_error or "Sign in to see this")
        return self.viewer.user_id


Info = strawberry.Info[Context, None]
