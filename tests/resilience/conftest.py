"""A cluster and a gateway of their own for the outage tests: stopping their servers never
disturbs the session's cluster that every other test uses."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from learnhub.core.settings import Settings
from learnhub.embedded import EmbeddedCluster, running_cluster
from learnhub.embedded.base import EmbeddedServer
from learnhub.migrations.migrate import migrate_all
from learnhub.seed.catalog import DEMO_STUDENT
from learnhub.seed.demo import seed_demo_from
from tests.support.client import gql
from tests.support.quizzes import ENROLL
from tests.support.servers import LiveServer

COURSES = "{ courses(first: 10) { nodes { id content { modules { lessons { contentId } } } } } }"
LOGIN = "mutation($i: LoginInput!) { login(input: $i) { accessToken errors { code } } }"


@dataclass
class World:
    cluster: EmbeddedCluster
    settings: Settings
    gateway: LiveServer
    token: str  # the demo student's, enrolled in every course read below
    lessons: list[str]  # one lesson per progress-writing client

    def server(self, name: str) -> EmbeddedServer:
        return next(s for s in self.cluster.servers if s.name == name)


async def _prepare(url: str) -> tuple[str, list[str]]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        signed_in = await gql(
            http, LOGIN, {"i": {"email": DEMO_STUDENT["email"], "password": DEMO_STUDENT["password"]}}
        )
        token = signed_in["data"]["login"]["accessToken"]
        courses = (await gql(http, COURSES, token=token))["data"]["courses"]["nodes"]
        lessons = []
        for course in courses:
            await gql(http, ENROLL, {"c": course["id"]}, token=token)
            for module in course["content"]["modules"]:
                lessons += [lesson["contentId"] for lesson in module["lessons"]]
    return token, lessons


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root: Path = tmp_path_factory.mktemp("outage-servers")
    with running_cluster(root, durable=True) as cluster:
        settings = Settings(
            **{k.lower(): v for k, v in cluster.env().items()},
            environment="test",
            # Answers must come from the stores, not from a cache in front of them.
            public_cache_enabled=False,
            rate_limit_ip_burst=1_000_000,
            rate_limit_user_burst=1_000_000,
            # Derived work (the outbox) drains in the gateway, as in `learnhub dev`.
            worker_in_process=True,
        )
        migrate_all(settings)
        asyncio.run(seed_demo_from(settings))
        gateway = LiveServer(settings)
        gateway.start()
        try:
            token, lessons = asyncio.run(_prepare(gateway.url))
            yield World(cluster, settings, gateway, token, lessons)
        finally:
            gateway.stop()
