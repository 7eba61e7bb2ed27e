"""A gateway dies while creating a course, between the MongoDB write and the PostgreSQL commit:
no course is visible, and the same request succeeds on retry."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from learnhub.core.crash import EXIT_CODE
from learnhub.core.settings import Settings
from learnhub.embedded import EmbeddedCluster
from tests.support.authoring import CREATE_COURSE, counts, create_course
from tests.support.client import gql
from tests.support.crash import crashing_gateway
from tests.support.data import StoreAccess, unique
from tests.support.world import account_with_role


async def test_a_crash_before_the_commit_leaves_no_course_and_the_retry_creates_it(
    http: httpx.AsyncClient, stores: StoreAccess, cluster: EmbeddedCluster, settings: Settings
) -> None:
    instructor, _ = await account_with_role(http, stores, "instructor")
    slug = unique("crash")
    async with crashing_gateway(cluster, settings, "create_course.after_content") as (url, proc):
        async with httpx.AsyncClient(base_url=url, timeout=30) as doomed:
            with pytest.raises(httpx.TransportError):
                await doomed.post(
                    "/graphql",
                    json={"query": CREATE_COURSE, "variables": {"i": {"slug": slug, "title": "First try"}}},
                    headers={"authorization": f"Bearer {instructor}"},
                )
        assert await asyncio.to_thread(proc.wait, 30) == EXIT_CODE

    # Content without a row: nothing lists it or finds it.
    assert await counts(stores, slug) == (0, 1, 0)
    found = await gql(http, "query($c: String!) { course(contentId: $c) { id } }", {"c": f"course:{slug}"},
                      token=instructor, expect_errors=True)  # fmt: skip
    assert found["data"]["course"] is None
    assert [e["extensions"]["code"] for e in found["errors"]] == ["NOT_FOUND"]

    retried = await create_course(http, instructor, slug=slug, title="Second try")
    assert retried["errors"] == []
    assert await counts(stores, slug) == (1, 1, 0)
    title = await gql(http, "query($c: ID!) { course(id: $c) { title } }", {"c": retried["course"]["id"]},
                      token=instructor)  # fmt: skip
    assert title["data"]["course"]["title"] == "Second try"
