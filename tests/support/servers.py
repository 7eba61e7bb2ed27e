"""The gateway served over real HTTP: the real ASGI app under uvicorn, in a thread of its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import uvicorn

from learnhub.app import create_app
from learnhub.core.settings import Settings
from learnhub.embedded.base import free_port

# The one origin the production gateway of the tests allows.
PRODUCTION_ORIGIN = "https://app.learnhub.example"


class LiveServer:
    """The real ASGI app under uvicorn on a free port, in a thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app = create_app(settings)
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, name="gateway", daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


# Starts one more gateway on the session's stores, with settings changed (the `gateway_factory` fixture).
GatewayFactory = Callable[..., LiveServer]
