"""Typesense over its REST API with an async HTTP client.

The official `typesense` package is synchronous (it would block the event loop) and its 2.x
releases target newer servers than the 0.24 one used here; the few calls needed are plain HTTP.
"""

from __future__ import annotations

import httpx

from learnhub.core.settings import Settings


class Search:
    def __init__(self, settings: Settings) -> None:
        self.http = httpx.AsyncClient(
            base_url=settings.typesense_url,
            headers={"X-TYPESENSE-API-KEY": settings.typesense_api_key.get_secret_value()},
            timeout=httpx.Timeout(5.0, connect=settings.store_connect_timeout_seconds),
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def ping(self) -> None:
        """Raise unless the server is up and accepts our key."""
        health = await self.http.get("/health")
        health.raise_for_status()
        if not health.json().get("ok"):
            raise RuntimeError("Typesense reports it is not healthy")
        (await self.http.get("/collections")).raise_for_status()
