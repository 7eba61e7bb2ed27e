"""Operators' tools: rebuild every index without downtime, and check index against stores.

`reindex` fills new versioned collections from the stores while searches keep using the old
ones, points the aliases at the new ones, re-applies the courses that changed meanwhile, and
drops the old collections. `check` compares what is indexed (documents and their versions,
lesson chunks of the configured model) with what the stores hold.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import text

from learnhub.datasources.postgres import chunks as chunk_store
from learnhub.datasources.stores import Stores
from learnhub.search import indexer
from learnhub.search.collections import KINDS, Kind, alias, versioned


@dataclass
class Reindexed:
    collections: dict[str, str]  # alias -> new collection
    indexed: indexer.Indexed
    replayed: int  # courses changed during the rebuild, applied again after the swap
    dropped: list[str]  # old collections
    seconds: float


async def reindex(stores: Stores) -> Reindexed:
    started = time.perf_counter()
    async with stores.engine.connect() as conn:
        since = (await conn.execute(text("SELECT now()"))).scalar_one()
    new: dict[Kind, str] = {kind: versioned(stores.settings, kind) for kind in KINDS}
    for kind, name in new.items():
        await indexer.create_collection(stores.search, name, kind)
    async with stores.engine.begin() as conn:
        indexed = await indexer.index_courses(stores, conn, None, indexer.Targets(dict(new)))
        await indexer.finish_model(stores, conn)
    await indexer.analyze(stores)
    old: list[str] = []
    for kind, name in new.items():
        previous = await stores.search.alias_target(alias(stores.settings, kind))
        await stores.search.point_alias(alias(stores.settings, kind), name)
        if previous is not None and previous != name:
            old.append(previous)
    # Events since the start were applied to the old collections (or are still queued): the
    # courses they name are read again and written to the new ones.
    async with stores.engine.begin() as conn:
        changed = (
            await conn.execute(
                text("SELECT DISTINCT payload->>'course_id' FROM outbox_events WHERE kind = :k AND created_at >= :t"),
                {"k": indexer.COURSE_CHANGED, "t": since},
            )
        ).scalars().all()  # fmt: skip
        if changed:
            await indexer.index_courses(stores, conn, [str(c) for c in changed if c])
    for name in old:
        await stores.search.delete_collection(name)
    return Reindexed(
        {alias(stores.settings, k): v for k, v in new.items()},
        indexed,
        len(changed),
        old,
        time.perf_counter() - started,
    )


@dataclass
class Drift:
    problems: list[str] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # what -> (stores, index)

    @property
    def ok(self) -> bool:
        return not self.problems


async def check(stores: Stores, *, show: int = 10) -> Drift:
    """What differs between the stores and the indexes; `show` examples per kind of problem."""
    drift = Drift()
    built = await indexer.load_documents(stores, None)
    expected = {"course": built.courses, "lesson": built.lessons, "question": built.questions}
    for kind in KINDS:
        name = alias(stores.settings, kind)
        if await stores.search.alias_target(name) is None:
            drift.problems.append(f"{name}: no such alias (run `learnhub search reindex`)")
            continue
        indexed = {
            d["key"]: d.get("content_version") for d in await stores.search.export(name, ["key", "content_version"])
        }
        wanted = {d["id"]: d["content_version"] for d in expected[kind]}
        drift.counts[kind] = (len(wanted), len(indexed))
        _compare(drift, f"{kind}s in Typesense", wanted, indexed, show)
    embedder = stores.embedder
    model = await chunk_store.model_by_name(stores.engine, embedder.name)
    wanted = {lesson_id: body[3] for lesson_id, body in built.lesson_bodies.items()}
    if model is None:
        drift.problems.append(f"no vectors of {embedder.name} yet")
        return drift
    if not model.ready:
        drift.problems.append(f"{embedder.name} is still embedding the catalogue")
    async with stores.engine.connect() as conn:
        stored = await chunk_store.stored_versions(conn, model.id, None)
    drift.counts["chunked lessons"] = (len(wanted), len(stored))
    _compare(drift, "lesson chunks", wanted, stored, show)
    return drift


def _compare(drift: Drift, what: str, wanted: Mapping[str, object], present: Mapping[str, object], show: int) -> None:
    missing = sorted(wanted.keys() - present.keys())
    extra = sorted(present.keys() - wanted.keys())
    outdated = sorted(k for k in wanted.keys() & present.keys() if wanted[k] != present[k])
    for label, keys in (("missing", missing), ("not in the stores", extra), ("outdated", outdated)):
        if keys:
            drift.problems.append(f"{what}: {len(keys)} {label}, e.g. {', '.join(keys[:show])}")
