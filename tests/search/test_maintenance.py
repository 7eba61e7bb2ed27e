"""`learnhub search reindex` and `learnhub search check`: rebuilt behind the aliases while
searches keep answering, and drift between stores and indexes found and named."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import httpx
from sqlalchemy import text

from learnhub.core.settings import Settings
from learnhub.datasources.stores import Stores
from learnhub.embedded import EmbeddedCluster
from learnhub.search import maintenance
from learnhub.search.collections import alias
from learnhub.search.indexer import embed_catalogue
from learnhub.worker import drain
from tests.support.client import post_graphql

SEARCH = 'query { search(query: "pyton decoratrs", mode: KEYWORD, first: 3) { edges { node { contentId } } } }'


def _cli(cluster: EmbeddedCluster, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **cluster.env(), "ENVIRONMENT": "test"}
    return subprocess.run(
        [sys.executable, "-m", "learnhub", "search", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def test_check_passes_on_agreeing_indexes_and_names_the_drift(
    cluster: EmbeddedCluster, live_stores: Stores
) -> None:
    # Other tests wrote content straight into the stores, as no user can: rebuilt first.
    await maintenance.reindex(live_stores)
    await drain(live_stores)
    agreed = await asyncio.to_thread(_cli, cluster, "check")
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    assert "The indexes agree with the stores." in agreed.stdout
    # A lesson document vanishes from Typesense, and a lesson's chunks go stale.
    lessons = alias(live_stores.settings, "lesson")
    await live_stores.search.delete_where(lessons, "key:=`lesson:py-generators`")
    async with live_stores.engine.begin() as conn:
        await conn.execute(
            text("UPDATE lesson_chunks SET content_version = content_version - 1 WHERE lesson_id = 'lesson:py-async'")
        )
    drifted = await asyncio.to_thread(_cli, cluster, "check")
    assert drifted.returncode == 1
    assert "DRIFT lessons in Typesense: 1 missing, e.g. lesson:py-generators" in drifted.stdout
    assert "DRIFT lesson chunks: 1 outdated, e.g. lesson:py-async" in drifted.stdout
    rebuilt = await asyncio.to_thread(_cli, cluster, "reindex")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "dropped 3 old collections" in rebuilt.stdout
    assert (await asyncio.to_thread(_cli, cluster, "check")).returncode == 0


async def test_reindex_swaps_the_aliases_while_searches_keep_answering(live: Any, live_stores: Stores) -> None:
    before = {kind: await live_stores.search.alias_target(alias(live_stores.settings, kind)) for kind in ("course",)}
    answers: list[int] = []

    async def keep_searching(http: httpx.AsyncClient, done: asyncio.Event) -> None:
        while not done.is_set():
            body = (await post_graphql(http, SEARCH)).json()
            answers.append(len(body["data"]["search"]["edges"]))

    done = asyncio.Event()
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        searching = asyncio.create_task(keep_searching(http, done))
        result = await maintenance.reindex(live_stores)
        done.set()
        await searching
    assert answers, "no search ran during the rebuild"
    assert all(count > 0 for count in answers)  # never an empty index, never an error
    after = await live_stores.search.alias_target(alias(live_stores.settings, "course"))
    assert after == result.collections[alias(live_stores.settings, "course")] != before["course"]
    names = {c["name"] for c in await live_stores.search.collections()}
    assert before["course"] not in names


async def test_a_new_embedding_model_re_embeds_everything_and_replaces_the_old(settings: Settings) -> None:
    async def models(stores: Stores) -> list[tuple[str, bool]]:
        async with stores.engine.connect() as conn:
            rows = await conn.execute(text("SELECT name, ready_at IS NOT NULL FROM embedding_models ORDER BY id"))
            return [(str(name), bool(ready)) for name, ready in rows]

    smaller = await Stores.open(settings.model_copy(update={"embedding_dimension": 128}))
    default = await Stores.open(settings)
    try:
        await smaller.bind_documents()
        done = await embed_catalogue(smaller)
        assert done.embedded >= 24  # the demo catalogue, at least
        assert await models(smaller) == [("wordllama/l2_supercat/128", True)]
        async with smaller.engine.connect() as conn:
            dims = await conn.scalar(text("SELECT DISTINCT vector_dims(embedding) FROM lesson_chunks"))
        assert dims == 128
    finally:
        # Back to the model every other test's gateway uses.
        await embed_catalogue(default)
        assert await models(default) == [("wordllama/l2_supercat/256", True)]
        await smaller.close()
        await default.close()
