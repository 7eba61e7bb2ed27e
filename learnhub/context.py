"""The typed per-request context every resolver receives."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from learnhub.auth.viewer import Viewer
from learnhub.client_address import device_of
from learnhub.datasources.postgres.sessions import Device
from learnhub.errors import Unauthenticated
from learnhub.loaders.registry import Loaders
from learnhub.settings import Settings
from learnhub.stores import Stores


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    settings: Settings
    stores: Stores
    viewer: Viewer
    request_id: str
    round_trips: Counter[str] = field(default_factory=Counter)

    @cached_property
    def device(self) -> Device:
        """User agent and client IP, recorded on sessions and used for per-IP limits."""
        return device_of(self.request, self.settings)

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.stores.engine, self.stores.mongo_db, self.viewer)

    def require_user(self) -> Viewer:
        """The signed-in viewer, or an UNAUTHENTICATED error saying what is wrong."""
        if not self.viewer.is_authenticated:
            raise Unauthenticated(self.viewer.token_error or "Sign in to see this")
        return self.viewer


Info = strawberry.Info[Context, None]
