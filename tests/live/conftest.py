"""Two gateways on the session's stores with small live limits: sockets on one, writes on the other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from learnhub.datasources.stores import Stores
from learnhub.worker import drain
from tests.support.servers import GatewayFactory, LiveServer

LIMITS: dict[str, Any] = {
    "live_sockets_per_user": 2,
    "live_subscriptions_per_socket": 3,
    "live_check_interval_seconds": 0.2,
    "sync_settle_seconds": 0,
}


@pytest.fixture(scope="session")
def gateway_a(gateway_factory: GatewayFactory) -> LiveServer:
    return gateway_factory(**LIMITS)


@pytest.fixture(scope="session")
def gateway_b(gateway_factory: GatewayFactory) -> LiveServer:
    return gateway_factory(**LIMITS)


@pytest.fixture
async def http_a(gateway_a: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_a.url, timeout=30) as client:
        yield client


@pytest.fixture
def publish(live_stores: Stores) -> Any:
    """Run the worker's drain: what it announces is published to the live streams."""

    async def run() -> None:
        await drain(live_stores)

    return run
