"""A bounded, deterministic fuzz run of /graphql over real HTTP against the live gateway.

Operations come from hypothesis-graphql, built from schema.graphql, in both modes: valid
operations (POSITIVE) and operations with one schema violation (NEGATIVE), as a visitor and as
the demo student. Every response is checked for the same invariants:

1. no HTTP 5xx (a 504 OPERATION_TIMEOUT included);
2. no internal detail in the body (tracebacks, exception class names, driver names), and every
   GraphQL error carries a known `extensions.code`; INTERNAL_SERVER_ERROR is always a finding;
3. mutations the caller may not run (per `FIELD_RULES`) are refused by the policy and write
   nothing: the stores are fingerprinted before and after each run and must be unchanged (the
   query runs are held to that too; the public mutations, which write by design, are not).

Findings are collected rather than raised at the first one, so one run reports every distinct
problem with the shortest operation that shows it, instead of one shrunk example. What earlier
runs found is replayed on every run by `test_fuzz_corpus`; the first run found that a NUL
character in a string argument that reaches PostgreSQL (`course(contentId:)`, `courses(filter:
{tag:})`, the email of `login`, `register`, `requestMagicLink`, `requestPasswordReset`, a
`register` display name) fails with INTERNAL_SERVER_ERROR, whose message (outside production)
quotes the SQLAlchemy/asyncpg error and the SQL with its parameters.

Raw request bodies are fuzzed too (`test_fuzz_request_bodies`): JSON that is not a request
object, other encodings, deep nesting, and text no store can take (lone UTF-16 surrogates, NUL,
strings past the general bound) in variables, the operation name and persisted queries. Each must be
answered with a GraphQL error body, on a connection the server keeps open, with nothing logged as
an error. Fuzzing found that non-object bodies and deep nesting answered a plain-text 500 and
closed the connection; that a lone surrogate reached asyncpg (INTERNAL_SERVER_ERROR quoting the
SQLAlchemy error) or failed the response encoder (a 500); and that a client disconnecting before
its body was read logged "Exception in ASGI application" with a traceback.
`BODY_CORPUS` replays those shapes.

`REQUEST_BUDGET` holds the example counts; the whole file takes about 25 s on two cores after
the servers have started.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries
from sqlalchemy import Table, func, select, text

from learnhub.core.settings import Settings
from learnhub.datasources.mongo.client import make_client
from learnhub.datasources.postgres.engine import make_engine
from learnhub.datasources.postgres.tables import (
    courses,
    enrollments,
    lesson_progress,
    quiz_attempts,
    refresh_tokens,
    user_profiles,
    users,
)
from learnhub.datasources.redis import make_redis
from learnhub.graphql.execution.input_guard import MAX_STRING
from learnhub.graphql.execution.policy import ADMIN, FIELD_RULES, PUBLIC, STAFF
from learnhub.graphql.relay.node import to_global_id
from learnhub.seed.catalog import DEMO_STUDENT
from tests.support.accounts import LOGIN, PASSWORD, REGISTER
from tests.support.client import gql_sync, graphql_request, post_graphql_sync
from tests.support.data import unique
from tests.support.logs import captured_logs
from tests.support.servers import LiveServer

T = TypeVar("T")

SDL = (Path(__file__).parents[2] / "schema.graphql").read_text()
SCHEMA = graphql.build_schema(SDL)
ROOT_QUERIES = tuple(graphql.assert_object_type(SCHEMA.get_type("Query")).fields)

# Examples per category. Mutations are cheap to refuse, queries can fan out into every store,
# so the query budget is where most of the minute goes.
REQUEST_BUDGET: dict[str, int] = {
    "query/anonymous/positive": 400,
    "query/anonymous/negative": 120,
    "query/student/positive": 400,
    "query/student/negative": 120,
    "mutation/anonymous/positive": 120,
    "mutation/anonymous/negative": 30,
    "mutation/student/positive": 80,
    "mutation/student/negative": 20,
    "mutation/public/positive": 60,
    "mutation/public/negative": 20,
    # Each body is followed by a probe on the same connection: two requests per example.
    "body": 80,
}

# Root mutations each caller must be refused: everything but PUBLIC for anonymous callers,
# the ADMIN and STAFF ones for a signed-in student. Derived from the policy so a new rule is fuzzed too.
ANONYMOUS_DENIED = tuple(name for name, rule in FIELD_RULES["Mutation"].items() if rule is not PUBLIC)
STUDENT_DENIED = tuple(name for name, rule in FIELD_RULES["Mutation"].items() if rule in (ADMIN, STAFF))
# Everyone may run these (sign-up, sign-in, recovery); they write by design, so only the response
# invariants are checked for them.
PUBLIC_MUTATIONS = tuple(name for name, rule in FIELD_RULES["Mutation"].items() if rule is PUBLIC)
DENIAL_CODE = {"anonymous": "UNAUTHENTICATED", "student": "FORBIDDEN"}

LIMIT_CODES = frozenset(
    {"QUERY_TOO_DEEP", "QUERY_TOO_COMPLEX", "TOO_MANY_ALIASES", "QUERY_TOO_LARGE", "TOO_MANY_FIELDS"}
)
ALLOWED_CODES = LIMIT_CODES | {
    "BAD_USER_INPUT",
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONTENT_NOT_FOUND",
    "BAD_REQUEST",
    # Answers to what a fuzzer sends on purpose: made-up share tokens, and (only when the
    # per-IP limit of share link lookups is reached) the rate limit.
    "SHARE_LINK_INVALID",
    "RATE_LIMITED",
    # A checkout the fuzzer manages to make well-formed reaches the payment provider; when that
    # does not answer, this is the stable answer.
    "PAYMENT_PROVIDER_UNAVAILABLE",
    # trackEvents refuses a bad batch whole, one code per reason.
    "ANALYTICS_BATCH_TOO_LARGE",
    "ANALYTICS_EVENT_UNKNOWN",
    "ANALYTICS_ENTITY_INVALID",
    "ANALYTICS_CONTEXT_INVALID",
    "ANALYTICS_BUSY",
}

# Text that only an internal error puts into a response. The library names are matched without
# regard to case ("SQLAlchemy", "Redis."); the Python markers are case-sensitive.
LEAK_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"Traceback"),
    re.compile(r'File "'),
    re.compile(r"Error\("),
    re.compile(r"Exception"),
    re.compile(r"sqlalchemy", re.IGNORECASE),
    re.compile(r"asyncpg", re.IGNORECASE),
    re.compile(r"pymongo", re.IGNORECASE),
    re.compile(r"redis\.", re.IGNORECASE),
    # Python exception class names without a parenthesis (`KeyError: 'x'`, `UniqueViolationError`).
    re.compile(r"\b[A-Z][A-Za-z]*(?:Error|Exception|Violation)\b"),
)
# Schema type names (`AccountError`) legitimately appear in validation messages.
SCHEMA_NAMES = frozenset(SCHEMA.type_map)

# The PostgreSQL tables a denied mutation could touch. The digest covers updates that change
# neither the row count nor a timestamp column (a role flip, a revoked token).
FINGERPRINT_TABLES: tuple[Table, ...] = (
    users,
    user_profiles,
    refresh_tokens,
    courses,
    enrollments,
    lesson_progress,
    quiz_attempts,
)
# Strings that stores and parsers are known to treat specially: PostgreSQL refuses NUL in text,
# lone surrogates cannot be encoded as UTF-8, LIKE and regex metacharacters, quotes, MongoDB
# operators, long values (one past the general bound), odd Unicode.
AWKWARD_STRINGS: tuple[str, ...] = (
    "\x00",
    "a\x00b",
    "\ud800",
    "a\udfffb",
    "x" * (MAX_STRING + 1),
    "%",
    "_",
    "\\",
    "'",
    '"',
    "'; SELECT pg_sleep(5); --",
    "$where",
    '{"$gt": ""}',
    ".*",
    "course:",
    "lesson:",
    "quiz:",
    "x" * 5000,
    "\u202e\U0001f600\ufeff",
    " ",
)
# Redis keys that requests create on their own: rate-limit buckets, persisted queries and the
# public cache's answers (and its generation counter, made by the first lookup).
# Keys a read may write: rate-limit buckets, persisted queries, cached answers, and the
# session-alive cache (a minute's TTL: a fuzz run longer than that on a slow machine refreshes it).
VOLATILE_REDIS_PREFIXES = (b"rl:", b"apq:", b"pubcache:", b"alive:")


# --- what the generators should aim at -------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """Real ids and strings from the running app, so generated arguments reach real records, and
    the demo student's token (enrolled, with progress and a graded attempt: the richest reads)."""

    student_token: str
    ids: tuple[str, ...]
    strings: tuple[str, ...]


KNOWN_READ = """
{
  me { id email enrollments(first: 10) { nodes { id } } quizAttempts(first: 10) { nodes { id } } }
  mySessions { id }
  courses(first: 5) {
    pageInfo { endCursor }
    nodes {
      id contentId instructor { id }
      content { modules { id lessons { id contentId quiz { id contentId questions { id contentId } } } } }
    }
  }
}
"""


def _collect(value: Any, key: str, found: list[str]) -> None:
    """Every string under `key` anywhere in a response."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == key and isinstance(v, str):
                found.append(v)
            else:
                _collect(v, key, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, key, found)


@pytest.fixture(scope="module")
def known(live: LiveServer) -> Known:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        credentials = {"email": DEMO_STUDENT["email"], "password": DEMO_STUDENT["password"]}
        signed_in = gql_sync(client, LOGIN, {"i": credentials})["data"]
        token = signed_in["login"]["accessToken"]
        assert token, signed_in
        # A bystander account: admin mutations aimed at it would change a real row if not refused.
        email = f"{unique('fuzz-target')}@example.test"
        registered = gql_sync(client, REGISTER, {"i": {"email": email, "password": PASSWORD, "displayName": "Target"}})[
            "data"
        ]
        target_id = registered["register"]["user"]["id"]
        data = gql_sync(client, KNOWN_READ, token=token)["data"]
    ids: list[str] = [target_id]
    _collect(data, "id", ids)
    strings: list[str] = [email, DEMO_STUDENT["email"], "admin@learnhub.dev", PASSWORD, ""]
    _collect(data, "contentId", strings)
    _collect(data, "endCursor", strings)
    # Content ids are accepted wherever a lesson or quiz id is.
    ids += [s for s in strings if ":" in s and "@" not in s]
    return Known(student_token=token, ids=tuple(dict.fromkeys(ids)), strings=tuple(dict.fromkeys(strings)))


def weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """`st.one_of` with integer weights (one_of picks its branches alike)."""
    branches = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(branches).flatmap(lambda strategy: strategy)


def balanced(
    build: Callable[..., st.SearchStrategy[str]], fields: Sequence[str], mode: Mode, **options: Any
) -> st.SearchStrategy[str]:
    """Valid operations on any mix of root fields, or on one root field chosen alike: left alone,
    hypothesis-graphql puts `node` into most queries, and the other root fields get few examples.

    Invalid operations are not split up: a root field without arguments anywhere below it
    (`logout`, `mySessions`) has nothing to violate, and its NEGATIVE strategy refuses to generate."""
    mixed = build(SDL, fields=fields, mode=mode, **options)
    if mode is Mode.NEGATIVE:
        return mixed
    return st.one_of(mixed, *(build(SDL, fields=[name], mode=mode, **options) for name in fields))


def scalar_strategies(known: Known) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Value nodes for the custom scalars, and for ID and String so they often hit real records."""
    any_text = st.text(max_size=40)
    # A real id or string with something awkward appended: the value reaches the store lookups
    # (a `course:` prefix passes the first checks) and carries the byte the stores may choke on.
    spiked = st.builds(str.__add__, st.sampled_from([*known.strings, *known.ids]), st.sampled_from(AWKWARD_STRINGS))
    texts = weighted((1, st.sampled_from(AWKWARD_STRINGS)), (1, spiked), (1, any_text))
    global_ids = st.builds(
        to_global_id,
        st.sampled_from(["User", "Course", "Lesson", "Quiz", "Enrollment", "QuizAttempt", "Session", "Nope"]),
        st.one_of(st.uuids().map(str), any_text),
    )
    graphql_names = st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,8}\Z")
    json_values: st.SearchStrategy[graphql.ValueNode] = st.recursive(
        st.one_of(
            st.just(nodes.Null),
            st.booleans().map(nodes.Boolean),
            st.integers().map(nodes.Int),
            st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
            any_text.map(nodes.String),
        ),
        lambda children: st.one_of(
            st.lists(children, max_size=3).map(nodes.List),
            st.dictionaries(graphql_names, children, max_size=3).map(
                lambda d: nodes.Object(
                    [graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v) for k, v in d.items()]
                )
            ),
        ),
        max_leaves=8,
    )
    return {
        # Real ids half of the time: random ones are all refused alike at the first lookup.
        "ID": weighted(
            (3, st.sampled_from(known.ids).map(nodes.String)),
            (1, global_ids.map(nodes.String)),
            (1, texts.map(nodes.String)),
            (1, st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int)),
        ),
        # Page sizes mostly around the allowed 1..100, so pages load and nested lists get resolved.
        "Int": weighted(
            (3, st.integers(min_value=-2, max_value=110)),
            (1, st.integers(min_value=-(2**31), max_value=2**31 - 1)),
        ).map(nodes.Int),
        "String": weighted((1, st.sampled_from(known.strings)), (2, texts)).map(nodes.String),
        "DateTime": st.one_of(
            st.datetimes(timezones=st.sampled_from([UTC, None])).map(lambda d: d.isoformat()), any_text
        ).map(nodes.String),
        # Analytics ranges: any day, or text that is not one.
        "Date": st.one_of(st.dates().map(lambda d: d.isoformat()), any_text).map(nodes.String),
        "JSON": json_values,
    }


# --- the stores' fingerprint ------------------------------------------------------------------------


@dataclass(frozen=True)
class Fingerprint:
    postgres: dict[str, tuple[Any, ...]]
    mongo: dict[str, tuple[int, str | None]]
    redis_keys: frozenset[bytes]


async def _fingerprint(config: Settings) -> Fingerprint:
    # Fresh clients on this thread's own loop: the session `stores` fixture lives on pytest-asyncio's loop.
    engine = make_engine(config)
    mongo = make_client(config)
    redis = make_redis(config)
    try:
        postgres: dict[str, tuple[Any, ...]] = {}
        async with engine.connect() as conn:
            for table in FINGERPRINT_TABLES:
                stamps = [func.max(table.c[name]) for name in ("created_at", "updated_at") if name in table.c]
                counted = (await conn.execute(select(func.count(), *stamps).select_from(table))).one()
                every_row = f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {table.name} t"
                digest = (await conn.execute(text(every_row))).scalar_one()
                postgres[table.name] = (*counted, digest)
        db = mongo[config.mongodb_database]
        # dbHash is an md5 per collection: it sees updates that leave the document count alone.
        hashes: dict[str, str] = (await db.command("dbHash")).get("collections", {})
        documents = {
            name: (await db[name].count_documents({}), hashes.get(name)) for name in await db.list_collection_names()
        }
        keys = frozenset(
            [key async for key in redis.scan_iter(count=1000) if not key.startswith(VOLATILE_REDIS_PREFIXES)]
        )
        return Fingerprint(postgres=postgres, mongo=documents, redis_keys=keys)
    finally:
        await engine.dispose()
        await mongo.close()
        await redis.aclose()


def fingerprint(config: Settings) -> Fingerprint:
    return asyncio.run(_fingerprint(config))


def assert_unchanged(before: Fingerprint, after: Fingerprint) -> None:
    changed = {
        name: (before.postgres[name], row) for name, row in after.postgres.items() if before.postgres[name] != row
    }
    assert not changed, f"PostgreSQL changed during the fuzz run: {changed}"
    assert after.mongo == before.mongo, f"MongoDB changed during the fuzz run: {before.mongo} -> {after.mongo}"
    # Keys may expire during the run; a new one outside the volatile prefixes is a write.
    new_keys = after.redis_keys - before.redis_keys
    assert not new_keys, f"new Redis keys during the fuzz run: {sorted(new_keys)}"


# --- sending and checking ---------------------------------------------------------------------------


def echoed_fragments(query: str) -> list[str]:
    """Names and literal values of the operation: error messages quote them back verbatim, so a
    pattern inside one of them is the client's own text, not a leak."""
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError:
        return []
    fragments: list[str] = []

    class Collect(graphql.Visitor):
        def enter_name(self, node: graphql.NameNode, *_: Any) -> None:
            fragments.append(node.value)

        def enter_string_value(self, node: graphql.StringValueNode, *_: Any) -> None:
            fragments.append(node.value)
            fragments.append(graphql.print_ast(node))

        def enter_int_value(self, node: graphql.IntValueNode, *_: Any) -> None:
            fragments.append(node.value)

        def enter_float_value(self, node: graphql.FloatValueNode, *_: Any) -> None:
            fragments.append(node.value)

    graphql.visit(document, Collect())
    # Longest first, so a fragment inside another one is not removed first and leaves a remainder.
    return sorted(set(fragments), key=len, reverse=True)


def leaks_in(value: str, fragments: list[str]) -> list[str]:
    found = []
    for pattern in LEAK_PATTERNS:
        if not pattern.search(value):
            continue
        # Only fragments that themselves contain the pattern are excused: dropping a short
        # fragment such as "e" could otherwise break up a real leak.
        rest = value
        for fragment in fragments:
            if pattern.search(fragment):
                rest = rest.replace(fragment, "")
        found += [m for m in pattern.findall(rest) if m not in SCHEMA_NAMES]
    return found


def root_fields(query: str) -> list[str]:
    try:
        document = graphql.parse(query)
    except graphql.GraphQLError:
        return []  # a lone surrogate in a string value: the lexer refuses it
    return [
        selection.name.value
        for definition in document.definitions
        if isinstance(definition, graphql.OperationDefinitionNode)
        for selection in definition.selection_set.selections
        if isinstance(selection, graphql.FieldNode)
    ]


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


@dataclass
class Fuzzer:
    """Sends operations as one viewer and collects every broken invariant."""

    client: httpx.Client
    token: str | None
    # Set for mutations the caller may not run: no root field may return data.
    denied: bool = False
    # For valid such mutations: the code every error but a limit's must carry.
    denial_code: str | None = None
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    # Coverage: root fields asked for, and responses where at least one root field had data.
    roots: Counter[str] = field(default_factory=Counter)
    with_data: int = 0
    # Requests that broke an invariant, and per kind of problem the (query, status, body) of the
    # shortest operation showing it.
    failed: int = 0
    findings: dict[str, tuple[str, int, str]] = field(default_factory=dict)

    def send(self, query: str) -> None:
        response = post_graphql_sync(self.client, query, token=self.token)
        self.roots.update(root_fields(query))
        self.record(query, response)

    def send_body(self, body: bytes) -> None:
        """A raw body, then `{ __typename }` on the same connection: a refused body must not cost
        the client its keep-alive connection."""
        label = f"{body[:160].decode('utf-8', 'backslashreplace')} ({len(body):,} bytes)"
        headers = {"content-type": "application/json"}
        with self.client.stream("POST", "/graphql", content=body, headers=headers) as response:
            response.read()
            used = response.extensions["network_stream"].get_extra_info("client_addr")
        with self.client.stream("POST", "/graphql", **graphql_request("{ __typename }")) as probe:
            probe.read()
            reused = probe.extensions["network_stream"].get_extra_info("client_addr") == used
        self.record(label, response, [] if reused else ["the server closed the connection after its answer"])

    def record(self, query: str, response: httpx.Response, extra: Sequence[str] = ()) -> None:
        self.requests += 1
        self.statuses[response.status_code] += 1
        problems = [*self.problems(query, response), *extra]
        self.failed += bool(problems)
        for problem in problems:
            seen = self.findings.get(problem)
            if seen is None or len(query) < len(seen[0]):
                self.findings[problem] = (query, response.status_code, response.text[:2000])

    def problems(self, query: str, response: httpx.Response) -> list[str]:
        status = response.status_code
        if status >= 500:
            # The code says which 5xx (504 OPERATION_TIMEOUT, 500 from the ASGI server).
            return [f"HTTP {status}: {response.text[:200]}"]
        found = [] if status in {200, 400} else [f"HTTP {status}"]
        try:
            body = response.json()
        except json.JSONDecodeError:
            return [*found, f"HTTP {status} with a body that is not JSON"]
        if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
            return [*found, "neither data nor errors in the body"]
        data = body.get("data")
        if isinstance(data, dict) and any(value is not None for value in data.values()):
            self.with_data += 1
            if self.denied:
                found.append("a refused mutation returned data")
        fragments = echoed_fragments(query)
        for value in strings_in(body):
            found += [f"leaked {leak!r}" for leak in leaks_in(value, fragments)]
        for error in body.get("errors") or []:
            code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
            if not isinstance(code, str) or not code:
                found.append("an error without extensions.code")
                continue
            self.codes[code] += 1
            if code not in ALLOWED_CODES:
                # Keyed by where and what, not by the whole message: it may quote the request's values.
                where = ".".join(str(step) for step in error.get("path") or [] if isinstance(step, str))
                first_line = str(error.get("message")).splitlines()[0][:160] if error.get("message") else ""
                found.append(f"{code} at {where or '(root)'}: {first_line}")
            elif (
                self.denial_code is not None
                and code not in LIMIT_CODES
                and code != self.denial_code
                # Refused before execution (bad input, no `data`): nothing ran, so no policy was due.
                and "data" in body
            ):
                # Still refused, but for the wrong reason: the policy did not answer first.
                found.append(f"refused with {code} instead of {self.denial_code}")
        return found

    def report(self, category: str) -> str:
        lines = [
            f"{category}: {self.requests} requests ({self.failed} failed), {self.with_data} with data,"
            f" statuses {dict(self.statuses)}",
            f"  codes {dict(self.codes.most_common())}",
            f"  root fields {dict(self.roots.most_common())}",
        ]
        # One block per example, listing every problem it shows.
        examples: dict[tuple[str, int, str], list[str]] = {}
        for problem, example in sorted(self.findings.items()):
            examples.setdefault(example, []).append(problem)
        for (query, status, body), problems in examples.items():
            lines += ["", *(f"FINDING: {problem}" for problem in problems), f"HTTP {status}", query, f"=> {body}"]
        return "\n".join(lines)


HYPOTHESIS = settings(
    deadline=None,
    # Requests over HTTP make every example "slow" to Hypothesis; big operations are the point.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    derandomize=True,
    database=None,
)


def run_fuzz(
    category: str,
    strategy: st.SearchStrategy[str],
    live: LiveServer,
    config: Settings,
    token: str | None,
    *,
    denied: bool = False,
    denial_code: str | None = None,
    writes_allowed: bool = False,
) -> None:
    before = fingerprint(config)
    started = time.monotonic()
    with httpx.Client(base_url=live.url, timeout=30) as client:
        fuzzer = Fuzzer(client, token, denied=denied, denial_code=denial_code)

        # Every category runs this same function, and derandomize seeds from its source: without a
        # seed of its own, each viewer would be sent the very same operations.
        @seed(zlib.crc32(category.encode()))
        @settings(HYPOTHESIS, max_examples=REQUEST_BUDGET[category])
        @given(strategy)
        def run(query: str) -> None:
            fuzzer.send(query)

        run()
    after = fingerprint(config)
    report = fuzzer.report(category)
    print(f"\n{report}\n({time.monotonic() - started:.1f} s)")
    assert not fuzzer.findings, report
    if not writes_allowed:
        assert_unchanged(before, after)


MODES = {"positive": Mode.POSITIVE, "negative": Mode.NEGATIVE}


# pymongo draws request ids from the global `random` in the gateway's thread while Hypothesis
# generates in this one; Hypothesis takes that for a strategy using `random`.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies"),
    # The deep and long bodies have long reprs; Hypothesis warns while it builds them.
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
]


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("viewer", ["anonymous", "student"])
def test_fuzz_queries(live: LiveServer, settings: Settings, known: Known, viewer: str, mode: str) -> None:
    """Any query, valid or not, as a visitor and as an enrolled student: no 5xx, no leaks, no writes."""
    strategy = balanced(queries, ROOT_QUERIES, custom_scalars=scalar_strategies(known), mode=MODES[mode])
    token = known.student_token if viewer == "student" else None
    run_fuzz(f"query/{viewer}/{mode}", strategy, live, settings, token)


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("viewer", ["anonymous", "student"])
def test_fuzz_denied_mutations(live: LiveServer, settings: Settings, known: Known, viewer: str, mode: str) -> None:
    """Mutations the caller may not run are refused by the policy and change nothing in any store."""
    fields = ANONYMOUS_DENIED if viewer == "anonymous" else STUDENT_DENIED
    strategy = balanced(mutations, fields, custom_scalars=scalar_strategies(known), mode=MODES[mode])
    token = known.student_token if viewer == "student" else None
    # Invalid operations fail validation before the policy runs: only valid ones must say "denied".
    denial = DENIAL_CODE[viewer] if mode == "positive" else None
    run_fuzz(f"mutation/{viewer}/{mode}", strategy, live, settings, token, denied=True, denial_code=denial)


def test_denied_mutation_lists_match_the_policy() -> None:
    # A guard on the derivation above: if the policy loses its non-public mutations, the fuzz
    # run above would quietly test nothing.
    assert set(STUDENT_DENIED) >= {"setUserRole", "setUserDisabled", "createCourse", "saveQuestion"}
    assert set(ANONYMOUS_DENIED) >= {"logout", "logoutEverywhere", "revokeSession", "changePassword"}
    assert set(STUDENT_DENIED) < set(ANONYMOUS_DENIED)


@pytest.mark.parametrize("mode", list(MODES))
def test_fuzz_public_mutations(live: LiveServer, settings: Settings, known: Known, mode: str) -> None:
    """Sign-up, sign-in and recovery with any input: no 5xx and no leaks (they may write: a valid
    `register` creates an account). Last in the file, so the write checks above see none of it."""
    strategy = balanced(mutations, PUBLIC_MUTATIONS, custom_scalars=scalar_strategies(known), mode=MODES[mode])
    run_fuzz(f"mutation/public/{mode}", strategy, live, settings, None, writes_allowed=True)


def corpus() -> list[str]:
    """Operations that broke an invariant in earlier runs (see the module docstring), replayed on
    every run: a fix is proven, a regression is caught, whatever the generators draw next time."""
    return [
        # PostgreSQL refuses NUL in text: an unhandled DBAPIError, INTERNAL_SERVER_ERROR with the SQL.
        '{ course(contentId: "course:\\u0000") { id } }',
        '{ courses(filter: {tag: "\\u0000"}) { totalCount } }',
        'mutation { login(input: {email: "a\\u0000@example.test", password: "x"}) { errors { code } } }',
        'mutation { requestPasswordReset(email: "a\\u0000@example.test") { ok } }',
        'mutation { requestMagicLink(email: "a\\u0000@example.test") { ok } }',
        f"""mutation {{ register(input: {{email: "{unique("corpus")}@example.test", password: "{PASSWORD}",
            displayName: "\\u0000"}}) {{ errors {{ code }} }} }}""",
    ]


def test_fuzz_corpus(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=30) as client:
        fuzzer = Fuzzer(client, None)
        for query in corpus():
            fuzzer.send(query)
    report = fuzzer.report("corpus")
    print(f"\n{report}")
    assert not fuzzer.findings, report


# --- raw request bodies -----------------------------------------------------------------------------

GOOD_BODY = b'{"query": "{ __typename }"}'
COURSE_BY_VARIABLE = "query($c: String) { course(contentId: $c) { id } }"
APQ = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}


def as_json(value: Any) -> bytes:
    return json.dumps(value).encode()  # ensure_ascii: a lone surrogate goes out as \ud800


def nested(kind: str, depth: int) -> bytes:
    """A body nesting `depth` lists or objects, at the top or as a variable's value."""
    inner = b"[" * depth + b"]" * depth if kind != "objects" else b'{"a":' * depth + b"1" + b"}" * depth
    if kind == "variable":
        return b'{"query": "query($c: String) { course(contentId: $c) { id } }", "variables": {"c": ' + inner + b"}}"
    return inner


def request_bodies() -> st.SearchStrategy[bytes]:
    """Bodies that are not a GraphQL request object, or that carry text no store can take."""
    surrogates = st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3)
    awkward = st.one_of(st.sampled_from(AWKWARD_STRINGS), surrogates, st.text(max_size=20))
    with_a_surrogate = st.builds(str.__add__, awkward, surrogates)
    values: st.SearchStrategy[Any] = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), awkward),
        lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(awkward, children, max_size=3)),
        max_leaves=6,
    )
    not_an_object = values.filter(lambda value: not isinstance(value, dict)).map(as_json)
    prefixes = st.sampled_from([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00"])
    encodings = st.one_of(
        st.builds(bytes.__add__, prefixes, st.just(GOOD_BODY)),
        st.sampled_from(["utf-16", "utf-16-be", "utf-32"]).map(GOOD_BODY.decode().encode),
        st.binary(min_size=1, max_size=20).map(lambda junk: GOOD_BODY[:10] + junk + GOOD_BODY[10:]),
    )
    deep = st.builds(
        nested, st.sampled_from(["lists", "objects", "variable"]), st.sampled_from([500, 1_000, 5_000, 100_000])
    )
    fields = st.one_of(
        st.builds(lambda c: {"query": COURSE_BY_VARIABLE, "variables": {"c": c}}, values),
        st.builds(lambda name: {"query": "query Q { __typename }", "operationName": name}, with_a_surrogate),
        st.builds(lambda text: {"query": f"{{ __typename }} # {text}", "extensions": APQ}, with_a_surrogate),
        st.dictionaries(st.sampled_from(["query", "variables", "operationName", "extensions"]), values, max_size=3),
    )
    return weighted((2, not_an_object), (1, encodings), (1, deep), (3, fields.map(as_json)))


# Bodies that broke an invariant in earlier runs (see the module docstring).
BODY_CORPUS: tuple[bytes, ...] = (
    b"12",
    b'"x"',
    b"null",
    b"[]",
    b"[12]",
    b"\xff\xfe" + GOOD_BODY,
    nested("lists", 100_000),
    nested("objects", 100_000),
    as_json({"query": COURSE_BY_VARIABLE, "variables": {"c": "\ud800"}}),
    as_json({"query": '{ course(contentId: "\ud800") { id } }'}),
    as_json({"query": "query Q { __typename }", "operationName": "\ud800"}),
    as_json({"query": "{ __typename } # \ud800", "extensions": APQ}),
    as_json({"query": LOGIN, "variables": {"i": {"email": "a" * 900_000 + "@example.test", "password": "x"}}}),
)


def disconnect_early(client: httpx.Client) -> None:
    """Headers that announce a body, part of it, and gone: a client that gave up."""
    with socket.create_connection((client.base_url.host, client.base_url.port or 80)) as raw:
        raw.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )


def assert_bodies_answered(live: LiveServer, category: str, send: Callable[[Fuzzer], None]) -> None:
    # An exception that escapes the app is logged by the ASGI server, with its traceback.
    errors = captured_logs("uvicorn.error", level=logging.ERROR)
    with errors as logged, httpx.Client(base_url=live.url, timeout=30) as client:
        fuzzer = Fuzzer(client, None)
        send(fuzzer)
    for record in logged.records:
        message = record.getMessage().strip()
        fuzzer.findings[f"the server logged an error: {message.splitlines()[0]}"] = ("(raw bodies)", 0, message)
    report = fuzzer.report(category)
    print(f"\n{report}")
    assert not fuzzer.findings, report


def fuzz_bodies(fuzzer: Fuzzer) -> None:
    @seed(zlib.crc32(b"body"))
    @settings(HYPOTHESIS, max_examples=REQUEST_BUDGET["body"])
    @given(request_bodies())
    def run(body: bytes) -> None:
        fuzzer.send_body(body)

    run()


def replay_bodies(fuzzer: Fuzzer) -> None:
    for body in BODY_CORPUS:
        fuzzer.send_body(body)
    disconnect_early(fuzzer.client)
    # The gateway notices the disconnect within milliseconds; an escaped exception is logged then.
    time.sleep(0.5)
    fuzzer.send_body(GOOD_BODY)  # and it still serves


def test_fuzz_request_bodies(live: LiveServer, settings: Settings) -> None:
    """Any body, valid JSON or not: a GraphQL error body, the connection kept, nothing logged, no writes."""
    before = fingerprint(settings)
    assert_bodies_answered(live, "body", fuzz_bodies)
    assert_unchanged(before, fingerprint(settings))


def test_fuzz_body_corpus(live: LiveServer) -> None:
    assert_bodies_answered(live, "body corpus", replay_bodies)
