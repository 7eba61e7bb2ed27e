"""Indexing lag: `python -m bench.search_lag [--edits N] [--out FILE]`.

How long after an author's edit is answered the edited text can be found. Starts the embedded
stores in a temporary folder, migrates, seeds the demo catalogue and indexes it, then serves
the gateway with the outbox worker inside it (WORKER_IN_PROCESS=true, as `learnhub dev` runs it).
An instructor writes a course with one lesson through the authoring mutations and publishes it;
then, N times, the lesson's body is edited to hold a new made-up word, and from the moment the
`updateLesson` response arrives two probes run every 20 ms:

- KEYWORD: `search(query: <word>, mode: KEYWORD, kinds: [LESSON])` until the lesson is a hit
  (Typesense has the new body);
- SEMANTIC: the lesson's chunks in `lesson_chunks` until they are of the edit's version (the
  new body is chunked and embedded; a made-up word means nothing to the embedding model, so
  searching for it by meaning would not tell).

Each probe gives up after 30 s and counts a miss. Between edits the author pauses a random
0 to 1 s, so edits land at any point of a polling worker's cycle rather than in step with it
(back to back, each edit would come just after a drain and wait the whole interval). Prints
p50, p95 and max per mode and writes them as a markdown table. The probes are measurement, not
synchronisation: they poll.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import math
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text, update

from bench.client import LOGIN
from bench.servers import REPO, Server, Spec, gateway_env, serving
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.postgres.tables import users
from learnhub.datasources.stores import Stores
from learnhub.embedded import running_cluster
from learnhub.embedded.base import free_port
from learnhub.migrations.migrate import migrate_all
from learnhub.search.maintenance import reindex
from learnhub.seed.demo import seed_demo_from

COMMAND = "python -m bench.search_lag"
OUT = REPO / "bench" / "results" / "search_lag.md"
POLL_S = 0.020
GIVE_UP_S = 30.0
# The worker polls every second (learnhub/worker.py run_forever): pauses spread over one interval.
PAUSE_S = (0.0, 1.0)
MODES = ("KEYWORD", "SEMANTIC")
PASSWORD = "search-lag-password"

REGISTER = """
mutation($input: RegisterInput!) { register(input: $input) { accessToken errors { code message } } }
"""
# The authoring mutations, as tests/support/authoring.py sends them.
ERRORS = "errors { code field message }"
CREATE_COURSE = (
    f"mutation($i: CreateCourseInput!) {{ createCourse(input: $i) {{ course {{ id contentId }} {ERRORS} }} }}"
)
UPDATE_CONTENT = f"""
mutation($c: ID!, $v: Int!, $i: CourseContentInput!) {{
  updateCourseContent(courseId: $c, expectedVersion: $v, input: $i) {{ contentVersion {ERRORS} }} }}
"""
ADD_LESSON = f"""
mutation($c: ID!, $v: Int!, $i: NewLessonInput!) {{
  addLesson(courseId: $c, expectedVersion: $v, input: $i) {{
    lesson {{ contentId version }} contentVersion {ERRORS} }} }}
"""
PUBLISH_COURSE = f"""
mutation($c: ID!, $p: Boolean!) {{ publishCourse(courseId: $c, published: $p) {{ course {{ published }} {ERRORS} }} }}
"""
UPDATE_LESSON = f"""
mutation($l: ID!, $v: Int!, $i: LessonEditInput!) {{
  updateLesson(lessonId: $l, expectedVersion: $v, input: $i) {{ lesson {{ version }} {ERRORS} }} }}
"""
SEARCH = """
query($q: String!) { search(query: $q, mode: KEYWORD, kinds: [LESSON], first: 5) { edges { node { contentId } } } }
"""
CHUNK_VERSION = "SELECT min(content_version) FROM lesson_chunks WHERE lesson_id = :l"


class LagError(RuntimeError):
    pass


def made_up_word() -> str:
    """A word no catalogue text holds (letters only, so no tokenizer splits it at a digit)."""
    return "zq" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:10])


def body(word: str) -> list[dict[str, str]]:
    return [
        {"kind": "MARKDOWN", "text": f"# Notes\nThis lesson explains {word} with a worked example."},
        {"kind": "MARKDOWN", "text": "Each step is small, and each one is checked before the next."},
    ]


@dataclass
class Lags:
    """Seconds from each edit's response to the first probe that saw it; None: a miss."""

    by_mode: dict[str, list[float | None]] = field(default_factory=lambda: {mode: [] for mode in MODES})


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Author:
    """An instructor's session with the gateway, and a direct line to PostgreSQL for the probes."""

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http = http
        self.settings = settings
        self.engine = make_engine(settings)
        self.token = ""

    async def gql(self, query: str, variables: dict[str, Any], *, auth: bool = True) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if auth and self.token else {}
        response = await self.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        answer: dict[str, Any] = response.json()
        if response.status_code != 200 or answer.get("errors"):
            raise LagError(f"{query.split('(', maxsplit=1)[0].strip()}: {response.status_code} {answer}")
        data: dict[str, Any] = answer["data"]
        return data

    @staticmethod
    def payload(data: dict[str, Any], name: str) -> dict[str, Any]:
        result: dict[str, Any] = data[name]
        if result.get("errors"):
            raise LagError(f"{name}: {result['errors']}")
        return result

    async def sign_up_as_instructor(self) -> None:
        email = f"lag-{uuid.uuid4().hex[:10]}@example.test"
        account = {"email": email, "password": PASSWORD, "displayName": "Lag Instructor"}
        self.payload(await self.gql(REGISTER, {"input": account}, auth=False), "register")
        async with self.engine.begin() as conn:
            await conn.execute(update(users).where(users.c.email == email).values(role="instructor"))
        # Signed in again after the role changed, so the token carries it.
        login = self.payload(await self.gql(LOGIN, {"email": email, "password": PASSWORD}, auth=False), "login")
        self.token = login["accessToken"]

    async def publish_course(self, word: str) -> tuple[str, int]:
        """A published course with one lesson whose body holds `word`: (lesson id, lesson version)."""
        slug = f"lag-{uuid.uuid4().hex[:8]}"
        created = self.payload(
            await self.gql(CREATE_COURSE, {"i": {"slug": slug, "title": "Measuring search lag"}}), "createCourse"
        )
        course = created["course"]["id"]
        outline = {"modules": [{"id": "m1", "title": "Basics"}]}
        version = self.payload(
            await self.gql(UPDATE_CONTENT, {"c": course, "v": 1, "i": outline}), "updateCourseContent"
        )["contentVersion"]
        lesson = {"slug": f"{slug}-lesson", "moduleId": "m1", "title": "Edited again and again", "blocks": body(word)}
        added = self.payload(await self.gql(ADD_LESSON, {"c": course, "v": version, "i": lesson}), "addLesson")
        self.payload(await self.gql(PUBLISH_COURSE, {"c": course, "p": True}), "publishCourse")
        return added["lesson"]["contentId"], int(added["lesson"]["version"])

    async def edit(self, lesson_id: str, version: int, word: str) -> int:
        """The lesson's body rewritten to hold `word`; returns its new version."""
        edited = self.payload(
            await self.gql(UPDATE_LESSON, {"l": lesson_id, "v": version, "i": {"blocks": body(word)}}), "updateLesson"
        )
        return int(edited["lesson"]["version"])

    async def keyword_hit(self, lesson_id: str, word: str) -> bool:
        data = await self.gql(SEARCH, {"q": word}, auth=False)
        return any(edge["node"]["contentId"] == lesson_id for edge in data["search"]["edges"])

    async def chunks_at(self, lesson_id: str, version: int) -> bool:
        async with self.engine.connect() as conn:
            stored = (await conn.execute(text(CHUNK_VERSION), {"l": lesson_id})).scalar_one_or_none()
        return stored is not None and int(stored) >= version

    async def close(self) -> None:
        await self.engine.dispose()


async def _until(probe: Callable[[], Awaitable[bool]], began: float) -> float | None:
    """Seconds from `began` until `probe()` is true, polling every POLL_S; None after GIVE_UP_S."""
    while True:
        if await probe():
            return time.perf_counter() - began
        if time.perf_counter() - began > GIVE_UP_S:
            return None
        await asyncio.sleep(POLL_S)


async def measure(gateway: Server, settings: Settings, edits: int) -> Lags:
    lags = Lags()
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as http:
        author = Author(http, settings)
        try:
            await author.sign_up_as_instructor()
            word = made_up_word()
            lesson_id, version = await author.publish_course(word)
            # The first indexing of the course is not an edit: waited for, not counted.
            if await _until(functools.partial(author.keyword_hit, lesson_id, word), time.perf_counter()) is None:
                raise LagError(f"the new course's lesson {lesson_id} never became searchable")
            pauses = random.Random(edits)  # the same pauses for the same --edits
            for index in range(edits):
                await asyncio.sleep(pauses.uniform(*PAUSE_S))
                word = made_up_word()
                version = await author.edit(lesson_id, version, word)
                answered = time.perf_counter()
                keyword, semantic = await asyncio.gather(
                    _until(functools.partial(author.keyword_hit, lesson_id, word), answered),
                    _until(functools.partial(author.chunks_at, lesson_id, version), answered),
                )
                lags.by_mode["KEYWORD"].append(keyword)
                lags.by_mode["SEMANTIC"].append(semantic)
                print(f"  edit {index + 1:>3}: KEYWORD {_ms(keyword)}, SEMANTIC {_ms(semantic)}", flush=True)
        finally:
            await author.close()
    return lags


def _ms(seconds: float | None) -> str:
    return "miss" if seconds is None else f"{seconds * 1000:,.0f} ms"


def table(lags: Lags, edits: int) -> str:
    lines = [
        f"Indexing lag over {edits} lesson edits (`{COMMAND} --edits {edits}`): from the `updateLesson` "
        f"response until the new text is found, probed every {POLL_S * 1000:.0f} ms, given up after "
        f"{GIVE_UP_S:.0f} s.\n\n",
        "| mode | signal | edits | misses | p50 ms | p95 ms | max ms |\n",
        "|---|---|--:|--:|--:|--:|--:|\n",
    ]
    signals = {"KEYWORD": "`search(mode: KEYWORD)` finds the new word", "SEMANTIC": "chunks of the new version"}
    for mode in MODES:
        seen = [value * 1000 for value in lags.by_mode[mode] if value is not None]
        misses = len(lags.by_mode[mode]) - len(seen)
        cells = [f"{percentile(seen, share):,.0f}" if seen else "-" for share in (0.5, 0.95, 1.0)]
        lines.append(
            f"| {mode} | {signals[mode]} | {len(lags.by_mode[mode])} | {misses} | " + " | ".join(cells) + " |\n"
        )
    return "".join(lines)


async def _prepare(settings: Settings) -> None:
    await seed_demo_from(settings)
    stores = await Stores.open(settings)
    try:
        await stores.bind_documents()
        await reindex(stores)
    finally:
        await stores.close()


def gateway_with_worker(store_env: dict[str, str]) -> Spec:
    """`learnhub serve` as the benchmark starts it, with the outbox worker in the process."""
    port = free_port()
    env = gateway_env(store_env, port) | {"WORKER_IN_PROCESS": "true"}
    return Spec("gateway", ["-m", "learnhub", "serve", "--workers", "1"], env, port)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30, help="lesson edits to time (default 30)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"the markdown table (default {OUT.relative_to(REPO)})")
    args = parser.parse_args(argv)
    if args.edits < 1:
        parser.error("--edits must be at least 1")
    began = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="learnhub-search-lag-") as tmp,
        running_cluster(Path(tmp) / "servers", durable=False) as cluster,
    ):
        store_env = cluster.env()
        overrides: dict[str, Any] = {k.lower(): v for k, v in store_env.items()}
        settings = Settings(**overrides, environment="test")
        print("Migrating, seeding the demo catalogue and indexing it ...", flush=True)
        migrate_all(settings)
        asyncio.run(_prepare(settings))
        with serving([gateway_with_worker(store_env)], Path(tmp)) as (gateway,):
            print(f"Timing {args.edits} lesson edits ...", flush=True)
            lags = asyncio.run(measure(gateway, settings, args.edits))
    markdown = table(lags, args.edits)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown)
    print("\n" + markdown)
    print(f"Wrote {args.out} ({time.monotonic() - began:.0f} s).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
