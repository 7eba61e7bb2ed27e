"""The demo catalogue: three small but real courses, written as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LessonSpec:
    slug: str
    title: str
    summary: str
    body: list[str]
    minutes: int = 8
    preview: bool = False


@dataclass(frozen=True)
class ModuleSpec:
    slug: str
    title: str
    lessons: list[LessonSpec]


@dataclass(frozen=True)
class CourseSpec:
    slug: str
    title: str
    summary: str
    description: str
    level: str
    tags: list[str]
    modules: list[ModuleSpec]
    quiz_slug: str
    quiz_title: str
    questions: list[dict[str, Any]] = field(default_factory=list)
    price_cents: int = 0


def _l(slug: str, title: str, summary: str, *body: str, minutes: int = 8, preview: bool = False) -> LessonSpec:
    return LessonSpec(slug, title, summary, list(body), minutes, preview)


REST = CourseSpec(
    slug="rest-api-design",
    title="REST API Design",
    summary="Design HTTP APIs that clients enjoy and servers can evolve.",
    description="Resources, methods, status codes, pagination and versioning, with the trade-offs behind each.",
    level="beginner",
    tags=["api", "http", "backend"],
    quiz_slug="rest-basics",
    quiz_title="REST basics",
    modules=[
        ModuleSpec(
            "rest-foundations",
            "Foundations",
            [
                _l(
                    "rest-intro",
                    "What REST is (and is not)",
                    "Constraints, not a protocol.",
                    "# What REST is\nREST is an architectural style described by Roy Fielding in 2000.",
                    "It names constraints — client/server, statelessness, cacheability, a uniform interface — "
                    "and promises evolvability in return.",
                    preview=True,
                    minutes=6,
                ),
                _l(
                    "rest-resources",
                    "Resources and URLs",
                    "Name things, not actions.",
                    "# Resources\nA resource is anything worth naming: `/courses/42`, `/courses/42/lessons`.",
                    "Prefer plural nouns and let methods carry the verb.",
                ),
                _l(
                    "rest-http-methods",
                    "HTTP methods",
                    "Safe, idempotent, and neither.",
                    "# Methods\n`GET` and `HEAD` are safe; `PUT` and `DELETE` are idempotent; `POST` is neither.",
                    "Idempotency lets clients retry after a timeout without doing the work twice.",
                ),
            ],
        ),
        ModuleSpec(
            "rest-practice",
            "Practice",
            [
                _l(
                    "rest-status-codes",
                    "Status codes that mean something",
                    "2xx, 4xx, 5xx and the ones in between.",
                    "# Status codes\nUse `201 Created` with a `Location` header, `409 Conflict` for stale writes.",
                    "A `4xx` is the client's to fix; a `5xx` is yours.",
                ),
                _l(
                    "rest-pagination",
                    "Pagination",
                    "Offsets break; cursors do not.",
                    "# Pagination\nOffset pagination skips or repeats rows when data changes between pages.",
                    "Cursor (keyset) pagination is stable and costs the same on page 1 and page 1,000.",
                ),
                _l(
                    "rest-versioning",
                    "Versioning and evolution",
                    "Add, never break.",
                    "# Versioning\nAdditive changes need no new version; removals and renames do.",
                    "Deprecate with a sunset date and measure who still calls the old shape.",
                    minutes=10,
                ),
            ],
        ),
    ],
    questions=[
        {
            "slug": "rest-safe-method",
            "type": "single_choice",
            "prompt": "Which method is safe?",
            "options": [("a", "POST"), ("b", "GET"), ("c", "PATCH"), ("d", "DELETE")],
            "answer": "b",
            "explanation": "Safe methods do not change server state; GET is one.",
            "difficulty": "easy",
        },
        {
            "slug": "rest-idempotent-methods",
            "type": "multiple_choice",
            "prompt": "Which methods are idempotent?",
            "options": [("a", "PUT"), ("b", "POST"), ("c", "DELETE"), ("d", "GET")],
            "answer": ["a", "c", "d"],
            "explanation": "Repeating PUT, DELETE or GET leaves the same state; POST may create twice.",
        },
        {
            "slug": "rest-stateless",
            "type": "true_false",
            "prompt": "A RESTful server keeps per-client session state between requests.",
            "answer": False,
            "explanation": "Statelessness: each request carries everything needed to serve it.",
        },
        {
            "slug": "rest-created-code",
            "type": "short_text",
            "prompt": "Which status code name answers a POST that created a resource?",
            "answer": {"accepted": ["201 Created", "201", "Created"], "case_sensitive": False},
            "explanation": "201 Created, usually with a Location header.",
        },
        {
            "slug": "rest-conflict-code",
            "type": "numeric",
            "prompt": "Which status code signals a conflicting write?",
            "answer": {"value": 409, "tolerance": 0},
            "explanation": "409 Conflict.",
            "difficulty": "hard",
        },
    ],
)

GRAPHQL = CourseSpec(
    slug="graphql-fundamentals",
    title="GraphQL Fundamentals",
    summary="Schemas, queries, resolvers and the N+1 problem.",
    description="Build a mental model of GraphQL execution and learn to keep resolvers fast with DataLoaders.",
    level="intermediate",
    tags=["api", "graphql", "backend"],
    quiz_slug="graphql-basics",
    quiz_title="GraphQL basics",
    price_cents=0,
    modules=[
        ModuleSpec(
            "gql-schema",
            "The schema",
            [
                _l(
                    "gql-intro",
                    "Why GraphQL",
                    "One endpoint, client-shaped responses.",
                    "# Why GraphQL\nClients ask for exactly the fields they need, in one round trip.",
                    preview=True,
                ),
                _l(
                    "gql-types",
                    "Types and fields",
                    "Objects, scalars, enums, interfaces.",
                    "# Types\nEvery field has a type; `!` marks non-null.",
                ),
                _l(
                    "gql-connections",
                    "Lists and connections",
                    "Cursors, edges and pageInfo.",
                    "# Connections\nA connection wraps a list with cursors so clients page reliably.",
                ),
            ],
        ),
        ModuleSpec(
            "gql-execution",
            "Execution",
            [
                _l(
                    "gql-resolvers",
                    "Resolvers",
                    "A function per field.",
                    "# Resolvers\nEach field is resolved by a function that receives its parent.",
                ),
                _l(
                    "gql-n-plus-one",
                    "The N+1 problem",
                    "And how DataLoaders batch it away.",
                    "# N+1\nResolving a field per list item issues one query per item.",
                    "A DataLoader collects keys during one tick and fetches them in one batched query.",
                ),
                _l(
                    "gql-errors",
                    "Errors",
                    "Partial data and typed errors.",
                    "# Errors\nA field error nulls that field and adds an entry to `errors`; data elsewhere survives.",
                ),
            ],
        ),
    ],
    questions=[
        {
            "slug": "gql-nonnull",
            "type": "single_choice",
            "prompt": "What does `String!` mean?",
            "options": [("a", "A list of strings"), ("b", "A string that is never null"), ("c", "An optional string")],
            "answer": "b",
            "explanation": "`!` marks the type as non-null.",
        },
        {
            "slug": "gql-operation-types",
            "type": "multiple_choice",
            "prompt": "Which are GraphQL operation types?",
            "options": [("a", "query"), ("b", "mutation"), ("c", "subscription"), ("d", "procedure")],
            "answer": ["a", "b", "c"],
            "explanation": "There are three operation types.",
        },
        {
            "slug": "gql-single-endpoint",
            "type": "true_false",
            "prompt": "A GraphQL API is usually one HTTP endpoint.",
            "answer": True,
            "explanation": "Usually `/graphql`.",
        },
        {
            "slug": "gql-batching-tool",
            "type": "short_text",
            "prompt": "Name the utility that batches per-field loads into one query.",
            "answer": {"accepted": ["DataLoader", "data loader", "dataloaders"], "case_sensitive": False},
            "explanation": "DataLoader.",
        },
        {
            "slug": "gql-n-plus-one-count",
            "type": "numeric",
            "prompt": "Listing 20 courses with one query per course title: how many queries in all?",
            "answer": {"value": 21, "tolerance": 0},
            "explanation": "1 for the list + 20, hence N+1.",
        },
    ],
)

POSTGRES = CourseSpec(
    slug="postgres-for-developers",
    title="PostgreSQL for Application Developers",
    summary="Indexes, transactions and query plans you will actually use.",
    description="From B-trees to EXPLAIN ANALYZE: what an application developer needs to keep queries fast.",
    level="advanced",
    tags=["database", "sql", "backend"],
    quiz_slug="postgres-indexing",
    quiz_title="Indexes and transactions",
    price_cents=4900,
    modules=[
        ModuleSpec(
            "pg-indexes",
            "Indexes",
            [
                _l(
                    "pg-btree",
                    "B-tree indexes",
                    "The default, and why.",
                    "# B-trees\nBalanced, ordered, logarithmic.",
                    preview=True,
                ),
                _l(
                    "pg-composite",
                    "Composite indexes",
                    "Column order matters.",
                    "# Composite\nAn index on (a, b) serves `a = ?` and `a = ? AND b = ?`, not `b = ?` alone.",
                ),
                _l(
                    "pg-gin",
                    "GIN for arrays and JSON",
                    "Containment queries.",
                    "# GIN\n`tags @> ARRAY['api']` uses a GIN index.",
                ),
            ],
        ),
        ModuleSpec(
            "pg-transactions",
            "Transactions",
            [
                _l("pg-mvcc", "MVCC", "Readers never block writers.", "# MVCC\nEach transaction sees a snapshot."),
                _l(
                    "pg-isolation",
                    "Isolation levels",
                    "Read committed to serializable.",
                    "# Isolation\nRead committed is the default; serializable detects anomalies and aborts.",
                ),
                _l(
                    "pg-explain",
                    "Reading EXPLAIN ANALYZE",
                    "Estimates versus reality.",
                    "# EXPLAIN\nCompare estimated and actual rows to find bad statistics.",
                    minutes=12,
                ),
            ],
        ),
    ],
    questions=[
        {
            "slug": "pg-default-index",
            "type": "single_choice",
            "prompt": "Which index type does CREATE INDEX make?",
            "options": [("a", "Hash"), ("b", "GIN"), ("c", "B-tree"), ("d", "BRIN")],
            "answer": "c",
            "explanation": "B-tree is the default.",
        },
        {
            "slug": "pg-composite-serves",
            "type": "multiple_choice",
            "prompt": "An index on (a, b) can serve which filters?",
            "options": [("a", "a = 1"), ("b", "a = 1 AND b = 2"), ("c", "b = 2")],
            "answer": ["a", "b"],
            "explanation": "Leading-column rule.",
        },
        {
            "slug": "pg-mvcc-blocking",
            "type": "true_false",
            "prompt": "Under MVCC, plain readers block writers.",
            "answer": False,
            "explanation": "Readers and writers do not block each other.",
        },
        {
            "slug": "pg-explain-keyword",
            "type": "short_text",
            "prompt": "Which keyword makes EXPLAIN run the query and report real timings?",
            "answer": {"accepted": ["ANALYZE"], "case_sensitive": False},
            "explanation": "EXPLAIN ANALYZE.",
        },
        {
            "slug": "pg-default-port",
            "type": "numeric",
            "prompt": "PostgreSQL's default TCP port?",
            "answer": {"value": 5432, "tolerance": 0},
            "explanation": "5432.",
        },
    ],
)

COURSES = [REST, GRAPHQL, POSTGRES]

DEMO_STUDENT = {"email": "student@learnhub.dev", "password": "learnhub-demo", "display_name": "Dana Demo"}
DEMO_INSTRUCTOR = {"email": "instructor@learnhub.dev", "password": "learnhub-demo", "display_name": "Ivo Instructor"}
DEMO_ADMIN = {"email": "admin@learnhub.dev", "password": "learnhub-demo", "display_name": "Ada Admin"}
