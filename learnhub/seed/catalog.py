"""The demo catalogue: four small but real courses, written as data.

Lesson bodies are long enough to search: typo-tolerant keyword search and semantic search over
chunks of lesson text both need real paragraphs, not one-line stubs.
"""

from __future__ import annotations

import textwrap
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
    # Each body string is one markdown block, written as an indented triple-quoted string here;
    # dedent and strip give the stored text.
    return LessonSpec(slug, title, summary, [textwrap.dedent(text).strip() for text in body], minutes, preview)


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
                    """
                    # What REST is
                    REST is an architectural style described by Roy Fielding in his 2000 doctoral
                    dissertation. It is not a protocol, a standard or a data format, and "JSON over HTTP"
                    is not automatically REST.
                    """,
                    """
                    It names constraints — client/server, statelessness, cacheability, a uniform
                    interface — and promises evolvability in return. Two more complete the list: a layered
                    system, in which a client cannot tell whether it talks to the origin server or to a
                    proxy or cache in between, and the optional code on demand.
                    """,
                    """
                    ## The constraints in practice
                    Statelessness means every request carries everything the server needs to serve it:
                    credentials, the resource it names, the representation it sends. The server keeps no
                    per-client session between requests, so any instance behind a load balancer can
                    answer, and a failed request can simply be sent again. Cacheability means responses
                    say whether they may be reused, with `Cache-Control` and `ETag`, so clients and
                    proxies can skip the server altogether.
                    """,
                    """
                    ## What REST is not
                    The uniform interface is the constraint most APIs skip. It asks that resources be
                    identified by URLs, changed through representations, and linked to each other so
                    that a client follows links instead of building URLs by hand (hypermedia, often
                    called HATEOAS). Few public APIs go that far, and that is fine: know which
                    constraints you follow and what each one buys you, rather than arguing about whether
                    an API deserves the name.
                    """,
                    preview=True,
                    minutes=6,
                ),
                _l(
                    "rest-resources",
                    "Resources and URLs",
                    "Name things, not actions.",
                    """
                    # Resources
                    A resource is anything worth naming: `/courses/42`, `/courses/42/lessons`. A course,
                    a lesson, an enrollment, even a saved search or a generated report can be a resource
                    if clients need to refer to it.
                    """,
                    """
                    Prefer plural nouns and let methods carry the verb. `POST /courses` creates a course
                    and `DELETE /courses/42` removes one; there is no need for `/createCourse` or
                    `/deleteCourse?id=42`. A collection URL lists or creates items; an item URL reads,
                    replaces, updates or deletes one.
                    """,
                    """
                    ```http
                    GET /courses?level=beginner&sort=-published_at HTTP/1.1
                    Accept: application/json

                    GET /courses/42/lessons HTTP/1.1
                    Accept: application/json
                    ```
                    """,
                    """
                    ## Nesting and query strings
                    Nest a resource under its parent only when it cannot exist without it: lessons belong
                    to a course, so `/courses/42/lessons` reads well. Keep nesting to one level;
                    `/courses/42/modules/3/lessons/7/comments` is hard to use and to evolve, and the
                    comment is better addressed directly as `/comments/981`. Filters, sorting and search
                    terms belong in the query string, not in the path.
                    """,
                    """
                    ## Representations
                    A URL names the resource; the body is one representation of it. JSON is the usual
                    choice, and a client can ask for another with the `Accept` header (content
                    negotiation). Keep identifiers stable and opaque, and never expose a database's
                    internal structure in your URLs: a URL is a promise to clients that outlives your
                    schema.
                    """,
                ),
                _l(
                    "rest-http-methods",
                    "HTTP methods",
                    "Safe, idempotent, and neither.",
                    """
                    # Methods
                    `GET` and `HEAD` are safe; `PUT` and `DELETE` are idempotent; `POST` is neither.
                    """,
                    """
                    A safe method does not change server state: the client only reads, so crawlers,
                    caches and prefetchers may call it freely. `OPTIONS` is safe as well. An idempotent
                    method may change state, but sending the same request twice leaves the server as
                    sending it once would. Every safe method is also idempotent.
                    """,
                    """
                    Idempotency lets clients retry after a timeout without doing the work twice. If a
                    `PUT /courses/42` times out, the client cannot know whether it arrived; it sends it
                    again, and the course ends up with the same content either way. `DELETE` is similar:
                    the second call may answer `404`, but the resource was deleted only once.
                    """,
                    """
                    ## PATCH and POST
                    `PATCH` applies a partial change. It is idempotent when the patch sets values
                    (`{"title": "New title"}`) and not when it says "add one to the view count", so do
                    not promise more than your patches guarantee. `POST` creates resources or runs
                    actions, and a retried `POST` may create two orders or charge a card twice.
                    """,
                    """
                    ## Making POST safe to retry
                    The usual fix is an idempotency key: the client sends a unique key with the request,
                    and the server stores the response under that key and returns the stored response
                    for any repeat, instead of doing the work again.
                    """,
                    """
                    ```http
                    POST /payments HTTP/1.1
                    Idempotency-Key: 9f1c2a7e-4b1d-4c55-9a6e-0d2f1b8e6a11
                    Content-Type: application/json

                    {"amount_cents": 4900, "course_id": 42}
                    ```
                    """,
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
                    """
                    # Status codes
                    Use `201 Created` with a `Location` header, `409 Conflict` for stale writes. The
                    status code is the first thing a client, a proxy and your monitoring read, so pick it
                    for what happened, not for what is convenient.
                    """,
                    """
                    A `4xx` is the client's to fix; a `5xx` is yours. The common ones: `200 OK`,
                    `204 No Content` when there is no body, `304 Not Modified` for a cached copy that is
                    still fresh; `400 Bad Request` for malformed input, `401 Unauthorized` when
                    credentials are missing or invalid, `403 Forbidden` when they are valid but not
                    enough, `404 Not Found`, `409 Conflict` when the request clashes with the current
                    state (a taken email, an outdated version), `422 Unprocessable Content` when the
                    syntax is fine but the values fail validation, `429 Too Many Requests` with
                    `Retry-After`, `500 Internal Server Error` for a bug and `503 Service Unavailable`
                    when a dependency is down.
                    """,
                    """
                    ## Returning errors properly
                    Never answer a failure with `200 OK` and a message in the body: clients, caches and
                    retry logic all trust the status. Send a consistent error body too, so clients can
                    tell failures apart. Problem Details (RFC 9457, which replaced RFC 7807) defines one:
                    `application/problem+json` with `type`, `title`, `status`, `detail` and `instance`,
                    plus any extension members you need.
                    """,
                    """
                    ```http
                    HTTP/1.1 422 Unprocessable Content
                    Content-Type: application/problem+json

                    {"type": "https://api.example.com/problems/validation",
                     "title": "Invalid input", "status": 422, "code": "VALIDATION_FAILED",
                     "errors": [{"field": "email", "code": "INVALID_EMAIL"}]}
                    ```
                    """,
                    """
                    Give each kind of failure a stable, documented error code, such as `EMAIL_TAKEN` or
                    `COURSE_NOT_FOUND`, and let the human-readable message change freely: clients branch
                    on the code, never on the text. For a `500`, log the stack trace with a request id
                    and return only that id; internal details in a response help attackers more than
                    users.
                    """,
                ),
                _l(
                    "rest-pagination",
                    "Pagination",
                    "Offsets break; cursors do not.",
                    """
                    # Pagination
                    Offset pagination skips or repeats rows when data changes between pages.
                    `?offset=40&limit=20` asks for rows 41 to 60 of whatever the table holds now: if a
                    row is inserted before that point while the client reads page 2, the last row of
                    page 2 comes back again on page 3, and a deletion makes a row vanish unseen.
                    """,
                    """
                    Cursor (keyset) pagination is stable and costs the same on page 1 and page 1,000.
                    Offsets are also slow on deep pages, because the database must still read and throw
                    away every skipped row.
                    """,
                    """
                    ## Keyset pagination
                    Instead of a position, the client sends back the sort key of the last row it saw,
                    and the server asks for the rows after it. Sort by a unique key, or add the id as a
                    tie-breaker, so that no two rows compare equal:
                    """,
                    """
                    ```sql
                    SELECT id, title, created_at
                    FROM courses
                    WHERE (created_at, id) > ($1, $2)
                    ORDER BY created_at, id
                    LIMIT 20;
                    ```
                    """,
                    """
                    With an index on `(created_at, id)` this is a short index range scan, however deep
                    the page.
                    """,
                    """
                    ## Cursors in the API
                    Encode the sort key in an opaque cursor string (base64 of a small JSON object is
                    common), so clients cannot depend on its contents and you can change it later.
                    Return it with each page, as `next_cursor` in the body or in a `Link` header with
                    `rel="next"`, and say whether more pages exist. The trade-off: clients cannot jump to
                    page 37, only walk forwards, or backwards with a second cursor.
                    """,
                ),
                _l(
                    "rest-versioning",
                    "Versioning and evolution",
                    "Add, never break.",
                    """
                    # Versioning
                    Additive changes need no new version; removals and renames do. Adding an optional
                    field to a response, a new endpoint or a new optional query parameter breaks no
                    client that ignores what it does not know, which well-behaved clients do.
                    """,
                    """
                    ## What breaks clients
                    Removing or renaming a field, changing its type or meaning, making an optional input
                    required, tightening validation and changing the default sort order all break
                    someone. So does a new enum value that clients switch on without a default branch.
                    Treat each of these as a breaking change, however small it looks in the diff.
                    """,
                    """
                    ## Where the version lives
                    When a break is unavoidable, publish a new version next to the old one. A path
                    prefix (`/v1/courses`, `/v2/courses`) is easy to see, route and cache. A header
                    (`Accept: application/vnd.example.v2+json`, or a date-based version header) keeps
                    URLs stable but is easier to forget. Either works; pick one and keep to it.
                    """,
                    """
                    Deprecate with a sunset date and measure who still calls the old shape. Announce
                    the date in the documentation and in every response of the old version:
                    """,
                    """
                    ```http
                    HTTP/1.1 200 OK
                    Sunset: Wed, 31 Dec 2025 23:59:59 GMT
                    Link: <https://api.example.com/docs/migrate-to-v2>; rel="sunset"
                    ```
                    """,
                    """
                    Log the version and the client of every call to the old API. Switch it off only
                    when the numbers say nobody still depends on it, or after telling those who do.
                    """,
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
                    """
                    # Why GraphQL
                    Clients ask for exactly the fields they need, in one round trip. A mobile screen that
                    shows a course's title, its lesson titles and their durations sends one query shaped
                    like that screen and gets back JSON of the same shape.
                    """,
                    """
                    ```graphql
                    query {
                      course(id: "42") {
                        title
                        lessons { title durationMinutes }
                      }
                    }
                    ```
                    """,
                    """
                    ## Over-fetching and under-fetching
                    With fixed REST endpoints a client often receives fields it never shows
                    (over-fetching), or must call several endpoints and join the results itself
                    (under-fetching). GraphQL moves that choice to the client: the server publishes a
                    typed schema of everything it can return, and each query selects a part of it. All
                    requests go to one endpoint, usually `POST /graphql`.
                    """,
                    """
                    ## The schema is the contract
                    The schema is typed and introspectable, so tools can autocomplete queries, validate
                    them before they are sent and generate client types. Fields are marked
                    `@deprecated` and removed once nobody selects them, so the API evolves without
                    version numbers.
                    """,
                    """
                    GraphQL is not free. Caching by URL does not work for POST requests; one query can
                    ask for a great deal of work, so servers need depth and cost limits; and naive
                    resolvers easily cause the N+1 problem. It pays off when many clients need different
                    views of connected data.
                    """,
                    preview=True,
                ),
                _l(
                    "gql-types",
                    "Types and fields",
                    "Objects, scalars, enums, interfaces.",
                    """
                    # Types
                    Every field has a type; `!` marks non-null. A GraphQL schema is written in the
                    schema definition language (SDL) and built from a few kinds of types.
                    """,
                    """
                    ```graphql
                    enum Level { BEGINNER INTERMEDIATE ADVANCED }

                    interface Node { id: ID! }

                    type Course implements Node {
                      id: ID!
                      title: String!
                      level: Level!
                      tags: [String!]!
                      summary: String
                    }

                    input CourseFilter { level: Level, tag: String }
                    ```
                    """,
                    """
                    ## Scalars, objects and enums
                    Scalars are the leaves of every response: the built-in `Int`, `Float`, `String`,
                    `Boolean` and `ID`, plus custom scalars such as `DateTime`. Object types have fields,
                    and each field returns a scalar, an enum, another object or a list of them. Enums
                    restrict a field to a fixed set of values and make those values visible to tools.
                    """,
                    """
                    ## Interfaces, unions and inputs
                    An interface lists fields that several object types share; a union groups types that
                    share nothing, such as the results of a search. Clients select fields per concrete
                    type with inline fragments (`... on Course { title }`). Input types describe
                    structured arguments; they cannot contain output types, which keeps arguments plain
                    data.
                    """,
                    """
                    `[String!]!` is a non-null list of non-null strings, while `[String]` allows a null
                    list and null items. Make a field non-null only when the server can always produce
                    it: when a non-null field fails, the null spreads to its parent.
                    """,
                ),
                _l(
                    "gql-connections",
                    "Lists and connections",
                    "Cursors, edges and pageInfo.",
                    """
                    # Connections
                    A connection wraps a list with cursors so clients page reliably. It is the
                    pagination pattern of the Relay specification, and most GraphQL servers follow it
                    even for clients that do not use Relay.
                    """,
                    """
                    ```graphql
                    query($after: String) {
                      courses(first: 10, after: $after) {
                        totalCount
                        edges { cursor node { id title } }
                        pageInfo { hasNextPage endCursor }
                      }
                    }
                    ```
                    """,
                    """
                    ## Edges, nodes and pageInfo
                    A connection has `edges`, each holding a `node` (the item) and its `cursor`, an
                    opaque string that marks its position. `pageInfo` says whether there is another page
                    (`hasNextPage`, `hasPreviousPage`) and gives `startCursor` and `endCursor`. The
                    arguments `first` and `after` page forwards; `last` and `before` page backwards. Many
                    servers add a `nodes` shortcut for clients that do not need per-item cursors, and an
                    optional `totalCount`.
                    """,
                    """
                    ## Why cursors
                    A cursor usually encodes a keyset (the sort key of its item) rather than an offset,
                    so inserted or deleted rows do not shift the pages and deep pages stay fast. Clients
                    treat cursors as opaque: pass `endCursor` back as `after` until `hasNextPage` is
                    false, and never parse or build one.
                    """,
                    """
                    Require `first` or `last` and cap it, say at 100. An unbounded list field lets one
                    query ask for a whole table; a cap keeps the cost of every page predictable.
                    """,
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
                    """
                    # Resolvers
                    Each field is resolved by a function that receives its parent. A resolver gets four
                    things: the parent object (the value returned for the enclosing field), the field's
                    arguments, a context shared by the whole request (the signed-in user, database
                    clients, loaders) and information about the query being executed.
                    """,
                    """
                    ```python
                    import strawberry


                    @strawberry.type
                    class Course:
                        id: strawberry.ID
                        title: str

                        @strawberry.field
                        async def lesson_count(self, info: strawberry.Info) -> int:
                            return await info.context.lesson_counts.load(self.id)


                    @strawberry.type
                    class Query:
                        @strawberry.field
                        async def course(self, info: strawberry.Info, id: strawberry.ID) -> Course | None:
                            return await info.context.courses.by_id(id)
                    ```
                    """,
                    """
                    ## How execution walks a query
                    Execution starts at the root type (`Query` or `Mutation`), calls the resolver of each
                    selected field, then resolves the selected fields of whatever each one returned,
                    level by level, until only scalars remain. A field without its own resolver uses the
                    default one, which reads the attribute or key of the same name from the parent.
                    Sibling fields of a query may run concurrently; the top-level fields of a mutation
                    run one after another, in order.
                    """,
                    """
                    ## Keep resolvers thin
                    A resolver should check its arguments, call one domain function or loader, and map
                    the result to a GraphQL type. Business rules written in resolvers get duplicated
                    across fields, and a database query per field is where the N+1 problem starts.
                    """,
                ),
                _l(
                    "gql-n-plus-one",
                    "The N+1 problem",
                    "And how DataLoaders batch it away.",
                    """
                    # N+1
                    Resolving a field per list item issues one query per item. A query for 20 courses
                    and each course's instructor runs one query for the list and then 20 more, one per
                    `instructor` field: N+1 queries where 2 would do. It goes unnoticed with three rows
                    in development and is slow with a thousand in production.
                    """,
                    """
                    A DataLoader collects keys during one tick and fetches them in one batched query.
                    Each resolver calls `load(key)` and gets an awaitable; the loader waits until the
                    resolvers of the current step have all asked, then calls its batch function once
                    with every key.
                    """,
                    """
                    ```python
                    from strawberry.dataloader import DataLoader


                    async def load_users(ids: list[int]) -> list[User | None]:
                        rows = await db.fetch("SELECT id, name FROM users WHERE id = ANY($1)", ids)
                        by_id = {row["id"]: User(**row) for row in rows}
                        return [by_id.get(i) for i in ids]  # one result per key, in key order


                    users = DataLoader(load_fn=load_users)
                    ```
                    """,
                    """
                    ## The rules of a batch function
                    It returns exactly one result per key, in the order of the keys, with `None` (or an
                    error) for keys that have no row. Returning rows in database order silently hands
                    records to the wrong parents.
                    """,
                    """
                    ## One loader per request
                    A DataLoader also caches: asking twice for the same key in one request reads the
                    database once. Create new loaders for every request, usually in the context, so
                    that one user's cached data never leaks into another user's response and no stale
                    value outlives its request.
                    """,
                ),
                _l(
                    "gql-errors",
                    "Errors",
                    "Partial data and typed errors.",
                    """
                    # Errors
                    A field error nulls that field and adds an entry to `errors`; data elsewhere
                    survives. The response then has both `data` and `errors`, and each error carries a
                    `message`, the `path` of the failed field, its `locations` in the query, and usually
                    `extensions` with a machine-readable `code`.
                    """,
                    """
                    ```json
                    {
                      "data": {"course": {"title": "GraphQL Fundamentals", "instructor": null}},
                      "errors": [{"message": "Instructor service unavailable",
                                  "path": ["course", "instructor"],
                                  "extensions": {"code": "UNAVAILABLE"}}]
                    }
                    ```
                    """,
                    """
                    ## Null propagation
                    If the failed field is non-null, its null cannot be returned, so it moves up to the
                    nearest nullable parent, which may wipe out a whole object or the entire `data`.
                    That is why careful schemas keep fields that can fail nullable.
                    """,
                    """
                    ## Expected failures belong in the schema
                    Top-level `errors` suit the unexpected: bugs, timeouts, a database that is down.
                    Expected outcomes such as a wrong password, a taken email or failed validation are
                    part of the API. Return them as typed data in the mutation's payload, for example
                    `errors { field code message }`, so clients get them through the schema, with
                    autocompletion and type checks, and branch on stable codes.
                    """,
                    """
                    In production, replace the message of an unexpected error with a generic one and
                    log the original with a request id: exception text can reveal SQL, file paths or
                    secrets.
                    """,
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
                    """
                    # B-trees
                    Balanced, ordered, logarithmic. A B-tree keeps keys sorted in pages linked into a
                    tree whose leaves all sit at the same depth, so finding any key reads only a handful
                    of pages, even in a table of hundreds of millions of rows.
                    """,
                    """
                    `CREATE INDEX` makes a B-tree unless you ask for another type, and for good reason:
                    it serves equality (`=`), ranges (`<`, `>`, `BETWEEN`), `IN`, `IS NULL` and
                    `ORDER BY` on the indexed column without a separate sort. Because the leaves are in
                    order, `ORDER BY published_at DESC LIMIT 10` reads the last ten entries and stops.
                    """,
                    """
                    ```sql
                    CREATE INDEX CONCURRENTLY courses_published_at_idx
                        ON courses (published_at);

                    SELECT id, title FROM courses
                    WHERE published_at >= now() - interval '7 days'
                    ORDER BY published_at DESC
                    LIMIT 10;
                    ```
                    """,
                    """
                    ## What a B-tree cannot do
                    It cannot help `LIKE '%sql%'`, where the pattern does not start with fixed text, nor
                    a function of the column such as `lower(email) = $1` unless you index that
                    expression. A prefix pattern such as `LIKE 'sql%'` can use one with the
                    `text_pattern_ops` operator class or the C collation.
                    """,
                    """
                    ## The price
                    Every index slows every insert, and every update of an indexed column, and takes
                    disk and memory. Index the queries you run, not every column. On a busy table, build
                    with `CREATE INDEX CONCURRENTLY` so that writes are not blocked while it builds.
                    """,
                    preview=True,
                ),
                _l(
                    "pg-composite",
                    "Composite indexes",
                    "Column order matters.",
                    """
                    # Composite
                    An index on (a, b) serves `a = ?` and `a = ? AND b = ?`, not `b = ?` alone. Its
                    entries are sorted by `a` first and by `b` within each `a`, like a phone book sorted
                    by surname and then first name: quick to search by surname, no help in finding
                    everyone called Anna.
                    """,
                    """
                    ## Choosing the column order
                    Put the columns you filter by equality first, and the column you filter by range or
                    sort by last. An index on `(course_id, created_at)` answers "the latest enrollments
                    of course 42" by jumping to course 42 and reading its entries in date order; the
                    same columns the other way round cannot.
                    """,
                    """
                    ```sql
                    CREATE INDEX enrollments_course_created_idx
                        ON enrollments (course_id, created_at);

                    -- served by the index, sort included
                    SELECT user_id, created_at FROM enrollments
                    WHERE course_id = 42
                    ORDER BY created_at DESC
                    LIMIT 20;

                    -- not served well: the leading column is missing
                    SELECT count(*) FROM enrollments
                    WHERE created_at > now() - interval '1 day';
                    ```
                    """,
                    """
                    PostgreSQL 18 can skip-scan such an index when the leading column has few distinct
                    values, but design for the leading-column rule, not around it.
                    """,
                    """
                    ## Covering indexes
                    If the index holds every column a query reads, PostgreSQL can answer from the index
                    alone (an index-only scan). `INCLUDE` adds payload columns that are stored but not
                    sorted: `CREATE INDEX ON enrollments (course_id, created_at) INCLUDE (user_id)`. One
                    composite index often replaces two single-column ones, but not always: check each
                    important query with `EXPLAIN`.
                    """,
                ),
                _l(
                    "pg-gin",
                    "GIN for arrays and JSON",
                    "Containment queries.",
                    """
                    # GIN
                    `tags @> ARRAY['api']` uses a GIN index. GIN stands for generalized inverted index:
                    like the index at the back of a book, it maps each element (an array item, a JSON
                    key or value, a word) to the rows that contain it.
                    """,
                    """
                    A B-tree indexes a value as a whole, so it cannot answer "rows whose tags contain
                    `api`". GIN indexes the parts, which is what containment and overlap operators need.
                    """,
                    """
                    ```sql
                    CREATE INDEX courses_tags_idx ON courses USING gin (tags);
                    SELECT id FROM courses WHERE tags @> ARRAY['api'];        -- contains
                    SELECT id FROM courses WHERE tags && ARRAY['sql', 'api'];  -- overlaps

                    CREATE INDEX events_payload_idx ON events USING gin (payload jsonb_path_ops);
                    SELECT id FROM events WHERE payload @> '{"type": "enrolled"}';
                    ```
                    """,
                    """
                    ## JSON and full-text search
                    On `jsonb`, the default operator class supports `@>` and the key-existence operators
                    `?`, `?|` and `?&`; `jsonb_path_ops` supports only containment and jsonpath matches
                    but is smaller and faster. For full-text search, a GIN index on a `tsvector`
                    expression serves `to_tsvector('english', body) @@ to_tsquery('index & plan')`.
                    """,
                    """
                    ## The costs
                    One row can add many index entries, so GIN is slower to update than a B-tree. Its
                    `fastupdate` pending list batches new entries, which speeds up writes but can slow
                    some reads until the list is merged. GIN does not help with equality on the whole
                    value or with sorting; keep a B-tree for those.
                    """,
                ),
            ],
        ),
        ModuleSpec(
            "pg-transactions",
            "Transactions",
            [
                _l(
                    "pg-mvcc",
                    "MVCC",
                    "Readers never block writers.",
                    """
                    # MVCC
                    Each transaction sees a snapshot. PostgreSQL implements multiversion concurrency
                    control: an `UPDATE` does not overwrite a row in place but writes a new version of
                    it, and the old version stays until no transaction can need it any more.
                    """,
                    """
                    Every row version records the transaction that created it (`xmin`) and the one that
                    deleted or replaced it (`xmax`). A snapshot says which transactions had committed
                    when it was taken, so a transaction sees exactly the versions that were current at
                    that moment and ignores later ones.
                    """,
                    """
                    ## Readers and writers do not wait for each other
                    A reader looks at the old version while a writer creates a new one, so plain
                    `SELECT`s never wait for writers and writers never wait for readers: a report can
                    run for minutes while the table is being updated. Two writers to the same row still
                    conflict; the second waits until the first commits or rolls back.
                    """,
                    """
                    ```sql
                    -- session A
                    BEGIN ISOLATION LEVEL REPEATABLE READ;
                    SELECT title FROM courses WHERE id = 42;  -- 'Old title'

                    -- session B, meanwhile
                    UPDATE courses SET title = 'New title' WHERE id = 42;

                    -- session A, again: still its own snapshot
                    SELECT title FROM courses WHERE id = 42;  -- 'Old title'
                    COMMIT;
                    ```
                    """,
                    """
                    ## The cost: dead rows and VACUUM
                    Old versions that no snapshot can see any more are dead tuples. `VACUUM`, usually
                    run by autovacuum, makes their space reusable. A transaction left open for hours
                    keeps its snapshot alive, so nothing newer can be cleaned up and tables bloat: keep
                    transactions short, and watch for sessions that sit `idle in transaction`.
                    """,
                ),
                _l(
                    "pg-isolation",
                    "Isolation levels",
                    "Read committed to serializable.",
                    """
                    # Isolation
                    Read committed is the default; serializable detects anomalies and aborts. The
                    isolation level decides which effects of concurrent transactions a transaction can
                    see.
                    """,
                    """
                    ## Read committed and repeatable read
                    Under read committed, each statement takes a fresh snapshot, so two `SELECT`s in one
                    transaction can return different results if another transaction commits in between
                    (a non-repeatable read). It suits most short transactions. PostgreSQL accepts
                    `READ UNCOMMITTED` but treats it as read committed: dirty reads never happen.
                    """,
                    """
                    Under repeatable read, the whole transaction uses one snapshot, taken at its first
                    statement, so every read agrees with every other. If it tries to update a row that
                    another transaction has changed and committed since then, it fails with a
                    serialization error instead of overwriting that change.
                    """,
                    """
                    ## Serializable
                    Serializable also catches anomalies that repeatable read allows, such as write skew:
                    two doctors each check that another doctor is on call, and both go off call.
                    PostgreSQL tracks what each transaction read and aborts one of them with SQLSTATE
                    `40001` when the outcome could not have happened in any serial order.
                    """,
                    """
                    ```sql
                    BEGIN ISOLATION LEVEL SERIALIZABLE;
                    SELECT count(*) FROM on_call WHERE shift_id = 7 AND active;
                    UPDATE on_call SET active = false WHERE doctor_id = 3 AND shift_id = 7;
                    COMMIT;  -- may fail with 40001 (serialization_failure)
                    ```
                    """,
                    """
                    The stricter levels are only safe if the application retries: catch `40001` and run
                    the whole transaction again, a few times, with a short backoff.
                    """,
                ),
                _l(
                    "pg-explain",
                    "Reading EXPLAIN ANALYZE",
                    "Estimates versus reality.",
                    """
                    # EXPLAIN
                    Compare estimated and actual rows to find bad statistics. `EXPLAIN` shows the plan
                    the planner chose, a tree of nodes with estimated costs and row counts.
                    `EXPLAIN ANALYZE` also runs the query and adds what really happened: actual rows,
                    loops and time per node.
                    """,
                    """
                    ```sql
                    EXPLAIN (ANALYZE, BUFFERS)
                    SELECT c.title, count(*)
                    FROM courses c JOIN enrollments e ON e.course_id = c.id
                    WHERE c.level = 'advanced'
                    GROUP BY c.title;
                    ```
                    """,
                    """
                    ## Reading the plan
                    Read it from the innermost nodes outwards. Scans read tables: `Seq Scan` reads every
                    row, `Index Scan` follows an index, `Index Only Scan` never touches the table, and
                    `Bitmap Heap Scan` collects matches from an index and then reads the pages in order.
                    Joins combine them: `Nested Loop` is good when the outer side is small, `Hash Join`
                    and `Merge Join` when both sides are large. A node's actual time and rows are per
                    loop, so multiply by `loops`.
                    """,
                    """
                    ## Estimates versus reality
                    When a node expects 10 rows and gets 100,000, the planner chose its plan for the
                    wrong data: a nested loop over what it thought was a small input, for instance. Run
                    `ANALYZE` on the table to refresh its statistics, raise the statistics target for
                    skewed columns, or create extended statistics for correlated ones. `BUFFERS` shows
                    how many pages came from the cache and how many were read.
                    """,
                    """
                    Careful: `EXPLAIN ANALYZE` really executes the statement. To measure an `UPDATE` or
                    a `DELETE`, wrap it in `BEGIN` and `ROLLBACK`.
                    """,
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

PYTHON = CourseSpec(
    slug="python-for-backend",
    title="Python for Backend Developers",
    summary="The language features backend code leans on every day.",
    description=(
        "Decorators, generators, context managers, async/await, type hints and exceptions, "
        "each shown in the server code that uses it."
    ),
    level="intermediate",
    tags=["python", "backend", "async"],
    quiz_slug="python-basics",
    quiz_title="Python basics",
    price_cents=0,
    modules=[
        ModuleSpec(
            "py-language",
            "Language tools",
            [
                _l(
                    "py-decorators",
                    "Decorators",
                    "Wrap a function to add behaviour around it.",
                    """
                    # Decorators
                    A decorator is a callable that takes a function and returns a replacement, usually
                    a wrapper that runs code before and after the original. The `@` syntax is shorthand:
                    `@timed` above `def list_courses()` means `list_courses = timed(list_courses)`.
                    """,
                    """
                    ```python
                    import functools
                    import time
                    from collections.abc import Callable
                    from typing import ParamSpec, TypeVar

                    P = ParamSpec("P")
                    R = TypeVar("R")


                    def timed(func: Callable[P, R]) -> Callable[P, R]:
                        @functools.wraps(func)
                        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
                            started = time.perf_counter()
                            try:
                                return func(*args, **kwargs)
                            finally:
                                print(f"{func.__name__} took {time.perf_counter() - started:.3f} s")

                        return wrapper


                    @timed
                    def list_courses() -> list[str]:
                        return ["rest-api-design", "python-for-backend"]
                    ```
                    """,
                    """
                    ## Why functools.wraps
                    Without `functools.wraps`, the wrapper hides the original's `__name__`, docstring
                    and signature, which confuses logs, debuggers and frameworks that inspect handlers
                    (FastAPI reads a handler's signature to find its parameters). `wraps` copies that
                    metadata onto the wrapper and sets `__wrapped__` to the original.
                    """,
                    """
                    ## Decorators with arguments
                    `@retry(times=3)` is a call that returns the decorator, so it needs one more level
                    of nesting: `retry(times=3)` returns `decorator`, and `decorator(func)` returns the
                    wrapper. A wrapper for an `async def` function must itself be `async def` and
                    `await` the call; otherwise it only times the creation of the coroutine.
                    """,
                    """
                    Web frameworks register routes with `@app.get("/courses")`, pytest marks fixtures
                    with `@pytest.fixture`, and `@functools.cache` memoises results. Cross-cutting
                    concerns such as timing, caching, retries, permission checks and transactions fit
                    decorators well, because they add behaviour without touching the function's body.
                    Keep wrappers transparent: pass arguments, return values and exceptions through.
                    """,
                    preview=True,
                ),
                _l(
                    "py-generators",
                    "Generators and iterators",
                    "Produce values lazily, one at a time.",
                    """
                    # Generators
                    An iterable is anything a `for` loop can walk: its `__iter__` returns an iterator.
                    An iterator's `__next__` returns the next value, or raises `StopIteration` when
                    there are no more. Lists, dicts, files and database cursors are all iterable.
                    """,
                    """
                    A generator function is the easy way to write an iterator: a function containing
                    `yield` returns a generator object when called, and its body runs only as values are
                    requested, pausing at each `yield` with its local variables intact.
                    """,
                    """
                    ```python
                    from collections.abc import Iterator
                    from typing import Any


                    def in_batches(cursor: Any, size: int = 1000) -> Iterator[list[Any]]:
                        while rows := cursor.fetchmany(size):
                            yield rows


                    for batch in in_batches(cursor):
                        search_index.upsert(batch)  # never more than 1,000 rows in memory
                    ```
                    """,
                    """
                    ## Laziness
                    Because nothing is computed until it is asked for, generators handle streams larger
                    than memory: export a table row by row, read a log file line by line, stream a CSV
                    response. Generator expressions such as `(row.id for row in rows)` are the inline
                    form, and `itertools` adds `islice`, `chain` and, since Python 3.12, `batched`.
                    """,
                    """
                    ## One pass only
                    An iterator is used up as you read it: a second loop over the same generator yields
                    nothing, and `list(gen)` after a loop is empty. Keep a list if you need the values
                    again. `yield from` delegates to another iterable, and an async generator (an
                    `async def` containing `yield`) is read with `async for`.
                    """,
                ),
                _l(
                    "py-context-managers",
                    "Context managers",
                    "Set up, clean up, even when things fail.",
                    """
                    # Context managers
                    A `with` statement guarantees that clean-up runs: a file is closed, a lock released,
                    a transaction committed or rolled back, whether the block finishes normally, returns
                    early or raises an exception.
                    """,
                    """
                    The protocol is two methods. `__enter__` runs at the start, and its return value is
                    what `as` binds; `__exit__(exc_type, exc, tb)` runs at the end and receives the
                    exception, if there was one. Returning true from `__exit__` suppresses the
                    exception, which is rarely what you want.
                    """,
                    """
                    ## contextlib.contextmanager
                    Most context managers are easier to write as a generator: the code before `yield`
                    sets up, the yielded value is what `as` binds, and the code after it cleans up.
                    """,
                    """
                    ```python
                    from collections.abc import Iterator
                    from contextlib import contextmanager


                    @contextmanager
                    def transaction(conn: Connection) -> Iterator[Connection]:
                        conn.execute("BEGIN")
                        try:
                            yield conn
                        except BaseException:
                            conn.execute("ROLLBACK")
                            raise
                        conn.execute("COMMIT")


                    with transaction(conn) as tx:
                        tx.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1")
                    ```
                    """,
                    """
                    ## In backend code
                    Async code uses `async with`, backed by `__aenter__` and `__aexit__` or by
                    `contextlib.asynccontextmanager`: database sessions, HTTP clients and connection
                    pools are opened and closed that way. `contextlib.ExitStack` manages a varying number
                    of resources, and `contextlib.suppress(FileNotFoundError)` ignores one expected
                    exception on purpose. When you have written the same `try`/`finally` around a
                    resource twice, make it a context manager.
                    """,
                ),
            ],
        ),
        ModuleSpec(
            "py-backend",
            "Backend essentials",
            [
                _l(
                    "py-async",
                    "async/await and the event loop",
                    "Concurrency for I/O without threads.",
                    """
                    # async/await
                    Calling an `async def` function returns a coroutine; nothing runs until it is
                    awaited or scheduled as a task. At each `await` on I/O that is not ready yet, the
                    coroutine pauses and hands control back to the event loop, which runs another task
                    that can make progress. One thread can keep thousands of network requests in flight
                    this way.
                    """,
                    """
                    ```python
                    import asyncio

                    import httpx


                    async def fetch_all(urls: list[str]) -> list[int]:
                        async with httpx.AsyncClient(timeout=10) as client:
                            responses = await asyncio.gather(*(client.get(url) for url in urls))
                        return [response.status_code for response in responses]


                    print(asyncio.run(fetch_all(["https://example.com"] * 10)))
                    ```
                    """,
                    """
                    ## Concurrency, not parallelism
                    Tasks take turns on one thread and switch only at an `await`. That suits I/O-bound
                    work such as database queries and HTTP calls; it does not make CPU-bound work any
                    faster. `asyncio.gather` and `asyncio.TaskGroup` run coroutines concurrently, so
                    three calls that each wait one second take about one second, not three.
                    """,
                    """
                    ## Never block the event loop
                    A blocking call inside a coroutine, such as `time.sleep`, `requests.get`, a
                    synchronous database driver or a long computation, stops every other task until it
                    returns, and the server's latency jumps for all users at once. Use
                    `await asyncio.sleep` and async libraries, or move a blocking call to a thread with
                    `await asyncio.to_thread(func, arg)`; send heavy CPU work to a process pool or a job
                    queue.
                    """,
                    """
                    Wrap calls to other services in `async with asyncio.timeout(5):` (Python 3.11).
                    Cancellation arrives as `asyncio.CancelledError` at an `await`: clean up and let it
                    propagate rather than swallowing it.
                    """,
                ),
                _l(
                    "py-type-hints",
                    "Type hints and mypy",
                    "Catch bugs before the code runs.",
                    """
                    # Type hints
                    Type hints say what a function accepts and returns:
                    `def find_course(slug: str) -> Course | None`. Python ignores them at runtime; a
                    type checker such as mypy reads them and reports mismatches before the code ever
                    runs, and editors use them for completion and safe refactoring.
                    """,
                    """
                    ```python
                    from dataclasses import dataclass
                    from typing import Protocol


                    @dataclass(frozen=True)
                    class Course:
                        slug: str
                        title: str


                    class CourseRepository(Protocol):
                        def get(self, slug: str) -> Course | None: ...


                    def course_title(repo: CourseRepository, slug: str) -> str:
                        course = repo.get(slug)
                        if course is None:  # without this check mypy reports [union-attr] below
                            return "(missing)"
                        return course.title
                    ```
                    """,
                    """
                    ## The useful parts
                    Use built-in generics (`list[str]`, `dict[str, int]`) and `X | None` for values
                    that may be missing. `Protocol` describes what an object must do rather than what it
                    inherits from, `TypedDict` types JSON-like dicts, `Literal["draft", "published"]`
                    restricts strings to a few values, and type parameters
                    (`def first[T](items: list[T]) -> T`, Python 3.12) write generic functions.
                    """,
                    """
                    ## Running mypy
                    Run `mypy --strict` in CI, so that unannotated functions and implicit `Any` count as
                    errors; on an old code base, tighten it one module at a time. Narrowing is the heart
                    of it: after `if course is None: return`, mypy knows that `course` is a `Course`.
                    Each `# type: ignore[code]` should name its error code and say why.
                    """,
                    """
                    Hints do not validate data. Input from requests still needs checking at the
                    boundary; libraries such as Pydantic read the same hints to validate and convert it.
                    """,
                ),
                _l(
                    "py-exceptions",
                    "Error handling with exceptions",
                    "Raise, catch, and define your own.",
                    """
                    # Exceptions
                    When something goes wrong, Python raises an exception: it unwinds the call stack
                    until a matching `except` clause handles it, or the program stops with a traceback.
                    Raise when a function cannot do what its name promises; return normally otherwise.
                    """,
                    """
                    ```python
                    class AppError(Exception):
                        code = "INTERNAL"


                    class CourseNotFound(AppError):
                        code = "COURSE_NOT_FOUND"

                        def __init__(self, slug: str) -> None:
                            super().__init__(f"no course {slug!r}")
                            self.slug = slug


                    def load_course(slug: str) -> Course:
                        try:
                            row = db.fetch_one("SELECT slug, title FROM courses WHERE slug = %s", slug)
                        except TimeoutError as exc:
                            raise AppError("the database timed out") from exc
                        if row is None:
                            raise CourseNotFound(slug)
                        return Course(**row)
                    ```
                    """,
                    """
                    ## Catching well
                    Catch the narrowest exception you can handle, where you can do something useful
                    about it. `except Exception: pass` hides bugs, and a bare `except:` even catches
                    `KeyboardInterrupt`. Use `else` for code that should run only when nothing was
                    raised, and `finally` for clean-up that must always run.
                    """,
                    """
                    ## Custom exception classes
                    Define a small hierarchy for your domain, rooted in one base class, so callers can
                    catch all of it or one case. Give each class the data a handler needs, such as the
                    slug that was not found, and a stable code. At the edge of the API, one handler maps
                    these classes to responses (`CourseNotFound` to `404`) and turns anything unexpected
                    into a logged `500`.
                    """,
                    """
                    `raise ... from exc` keeps the original cause in the traceback; `from None` hides it
                    on purpose. Since Python 3.11, `ExceptionGroup` and `except*` handle several
                    failures at once, as `asyncio.TaskGroup` raises them, and `exc.add_note()` attaches
                    extra context.
                    """,
                    minutes=10,
                ),
            ],
        ),
    ],
    questions=[
        {
            "slug": "py-functools-wraps",
            "type": "single_choice",
            "prompt": "What does `functools.wraps` do in a decorator?",
            "options": [
                ("a", "Caches the function's results"),
                ("b", "Copies the wrapped function's name, docstring and other metadata to the wrapper"),
                ("c", "Turns the function into a coroutine"),
                ("d", "Retries the function when it raises"),
            ],
            "answer": "b",
            "explanation": "It copies `__name__`, `__doc__` and more, and sets `__wrapped__`.",
        },
        {
            "slug": "py-with-protocol",
            "type": "multiple_choice",
            "prompt": "Which methods must a class define to be used in a plain `with` statement?",
            "options": [("a", "__enter__"), ("b", "__exit__"), ("c", "__iter__"), ("d", "__aenter__")],
            "answer": ["a", "b"],
            "explanation": "`with` calls `__enter__` and `__exit__`; `__aenter__` is for `async with`.",
        },
        {
            "slug": "py-sleep-in-coroutine",
            "type": "true_false",
            "prompt": "Calling `time.sleep(1)` inside a coroutine lets other tasks run during that second.",
            "answer": False,
            "explanation": "It blocks the whole event loop; `await asyncio.sleep(1)` lets other tasks run.",
            "difficulty": "easy",
        },
        {
            "slug": "py-generator-keyword",
            "type": "short_text",
            "prompt": "Which keyword turns a function into a generator function?",
            "answer": {"accepted": ["yield"], "case_sensitive": False},
            "explanation": "Any function whose body contains `yield` returns a generator when called.",
        },
        {
            "slug": "py-gather-seconds",
            "type": "numeric",
            "prompt": (
                "Three coroutines each `await asyncio.sleep(1)` and run together under `asyncio.gather`. "
                "About how many seconds does the gather take?"
            ),
            "answer": {"value": 1, "tolerance": 0.1},
            "explanation": "They wait concurrently, so about one second, not three.",
            "difficulty": "hard",
        },
    ],
)

COURSES = [REST, GRAPHQL, POSTGRES, PYTHON]


DEMO_STUDENT = {"email": "student@learnhub.dev", "password": "learnhub-demo", "display_name": "Dana Demo"}
DEMO_INSTRUCTOR = {"email": "instructor@learnhub.dev", "password": "learnhub-demo", "display_name": "Ivo Instructor"}
DEMO_ADMIN = {"email": "admin@learnhub.dev", "password": "learnhub-demo", "display_name": "Ada Admin"}
