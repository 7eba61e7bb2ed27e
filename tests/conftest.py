"""Real servers for the whole test session, and the gateway served over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from learnhub.core.settings import Settings
from learnhub.datasources.mongo.client import make_client
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.stores import Stores
from learnhub.embedded import EmbeddedCluster, running_cluster
from learnhub.embedded.base import free_port
from learnhub.graphql.execution.compiled import PLAN_CHECKS
from learnhub.migrations.migrate import migrate_all
from learnhub.search.maintenance import reindex
from learnhub.seed.demo import seed_demo_from
from tests.support.data import StoreAccess
from tests.support.mail import Mailbox
from tests.support.servers import PRODUCTION_ORIGIN, GatewayFactory, LiveServer


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedCluster]:
    with running_cluster(tmp_path_factory.mktemp("servers"), durable=False) as started:
        yield started


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on a free port; the gateway's mail lands here."""
    box = Mailbox()
    box.port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def settings(cluster: EmbeddedCluster, mailbox: Mailbox) -> Settings:
    config = Settings(
        **{k.lower(): v for k, v in cluster.env().items()},
        environment="test",
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        # The suite sends thousands of requests from 127.0.0.1; the limit tests start their own
        # gateways with small limits.
        rate_limit_ip_burst=1_000_000,
        rate_limit_user_burst=1_000_000,
        login_attempts_per_ip=1_000_000,
        # Every planned query the suite sends is answered by graphql-core too: both must agree.
        plan_check=True,
    )
    migrate_all(config)
    return config


@pytest.fixture(autouse=True)
def planned_answers_agree() -> Iterator[None]:
    """Fails the test whose queries the plans answered otherwise than graphql-core."""
    before = len(PLAN_CHECKS.mismatches)
    yield
    found = PLAN_CHECKS.mismatches[before:]
    assert not found, "planned execution differs from graphql-core:\n" + "\n\n".join(found)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if PLAN_CHECKS.checked:
        terminalreporter.write_line(
            f"planned execution: {PLAN_CHECKS.checked} query executions ({len(PLAN_CHECKS.documents)} distinct "
            f"operations) compared with graphql-core, {len(PLAN_CHECKS.mismatches)} different"
        )


@pytest.fixture(scope="session")
def seeded(settings: Settings) -> Any:
    async def run() -> Any:
        report = await seed_demo_from(settings)
        # The demo catalogue is searchable from the start, as `learnhub dev` makes it.
        stores = await Stores.open(settings)
        try:
            await stores.bind_documents()
            await reindex(stores)
        finally:
            await stores.close()
        return report

    return asyncio.run(run())


@pytest.fixture(scope="session")
def live(settings: Settings, seeded: Any) -> Iterator[LiveServer]:
    server = LiveServer(settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gateway_factory(settings: Settings, seeded: Any) -> Iterator[GatewayFactory]:
    """More gateways on the same stores, with settings changed (small limits, production mode)."""
    started: list[LiveServer] = []

    def start(**overrides: Any) -> LiveServer:
        server = LiveServer(settings.model_copy(update=overrides))
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def production(gateway_factory: GatewayFactory) -> LiveServer:
    """A gateway in production mode: no introspection or GraphiQL, masked errors, one allowed
    origin, a 4 KiB body limit."""
    return gateway_factory(environment="production", cors_origins=[PRODUCTION_ORIGIN], max_body_bytes=4096)


@pytest.fixture
async def prod(production: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=production.url, timeout=30) as client:
        yield client


@pytest.fixture
async def http(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
async def live_stores(settings: Settings, seeded: Any) -> AsyncIterator[Stores]:
    """The gateway's own store clients (as the worker and the CLI open them), on the tests' loop."""
    opened = await Stores.open(settings)
    await opened.bind_documents()
    yield opened
    await opened.close()


@pytest.fixture(scope="session")
async def stores(settings: Settings) -> AsyncIterator[StoreAccess]:
    """Direct store access for arranging and checking data (on the tests' own event loop)."""
    engine = make_engine(settings)
    client = make_client(settings)
    yield StoreAccess(engine, client[settings.mongodb_database])
    await engine.dispose()
    await client.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(__file__).parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
