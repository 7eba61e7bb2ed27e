"""A labelled set of search queries over the demo catalogue, for `python -m bench.search_eval`.

Each query is what a student might type, with the content ids a good answer ranks first. Three
categories, about a third each:

- exact: words that appear in a title, summary or lesson body;
- misspelled: realistic typos, one or two edits per word;
- paraphrase: natural questions that use few or none of the catalogue's own words.

Labels come from the text of `learnhub/seed/catalog.py` alone, not from any engine's results, so
the set measures search engines instead of being tuned to one. `relevant` usually holds one id;
it holds two or three only when each is a right answer on its own. Ids are the content ids that
`learnhub/seed/demo.py` stores: `lesson:<slug>`, `course:<slug>`, `question:<slug>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Category = Literal["exact", "misspelled", "paraphrase"]


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    category: Category
    relevant: tuple[str, ...]  # content ids a good answer ranks first


def _exact(text: str, *relevant: str) -> LabelledQuery:
    return LabelledQuery(text, "exact", relevant)


def _typo(text: str, *relevant: str) -> LabelledQuery:
    return LabelledQuery(text, "misspelled", relevant)


def _para(text: str, *relevant: str) -> LabelledQuery:
    return LabelledQuery(text, "paraphrase", relevant)


QUERIES: tuple[LabelledQuery, ...] = (
    # exact: the words are in a title, summary or body.
    _exact("cursor pagination", "lesson:rest-pagination", "lesson:gql-connections"),
    _exact("status codes", "lesson:rest-status-codes"),
    _exact("problem details", "lesson:rest-status-codes"),
    _exact("idempotency key", "lesson:rest-http-methods"),
    _exact("sunset header", "lesson:rest-versioning"),
    _exact("HATEOAS", "lesson:rest-intro"),
    _exact("plural nouns", "lesson:rest-resources"),
    _exact("keyset pagination", "lesson:rest-pagination"),
    _exact("DataLoader", "lesson:gql-n-plus-one"),
    _exact("N+1 problem", "lesson:gql-n-plus-one"),
    _exact("pageInfo endCursor", "lesson:gql-connections"),
    _exact("null propagation", "lesson:gql-errors"),
    _exact("interfaces and unions", "lesson:gql-types"),
    _exact("over-fetching", "lesson:gql-intro"),
    _exact("GraphQL operation types", "question:gql-operation-types"),
    _exact("EXPLAIN ANALYZE", "lesson:pg-explain"),
    _exact("composite index column order", "lesson:pg-composite"),
    _exact("GIN index jsonb", "lesson:pg-gin"),
    _exact("serializable isolation", "lesson:pg-isolation"),
    _exact("VACUUM dead tuples", "lesson:pg-mvcc"),
    _exact("index-only scan", "lesson:pg-composite", "lesson:pg-explain"),
    _exact("default TCP port", "question:pg-default-port"),
    _exact("functools.wraps", "lesson:py-decorators", "question:py-functools-wraps"),
    _exact("context managers", "lesson:py-context-managers"),
    _exact("generators and iterators", "lesson:py-generators"),
    _exact("asyncio gather", "lesson:py-async", "question:py-gather-seconds"),
    _exact("mypy strict", "lesson:py-type-hints"),
    _exact("custom exception classes", "lesson:py-exceptions"),
    _exact("REST API Design", "course:rest-api-design"),
    _exact("Python for Backend Developers", "course:python-for-backend"),
    # misspelled: one or two edits per word.
    _typo("pyton decoratrs", "lesson:py-decorators"),
    _typo("pagnation", "lesson:rest-pagination", "lesson:gql-connections"),
    _typo("idempotant methods", "lesson:rest-http-methods", "question:rest-idempotent-methods"),
    _typo("graphql resovlers", "lesson:gql-resolvers"),
    _typo("postgress indexs", "lesson:pg-btree", "lesson:pg-composite", "lesson:pg-gin"),
    _typo("statis codes", "lesson:rest-status-codes"),
    _typo("problem detials error response", "lesson:rest-status-codes"),
    _typo("verisoning an api", "lesson:rest-versioning"),
    _typo("rest resorces urls", "lesson:rest-resources"),
    _typo("restful constriants", "lesson:rest-intro"),
    _typo("dataloadr batch function", "lesson:gql-n-plus-one"),
    _typo("n+1 querys", "lesson:gql-n-plus-one"),
    _typo("graphql conections", "lesson:gql-connections"),
    _typo("grapql errors", "lesson:gql-errors"),
    _typo("grapql schema types", "lesson:gql-types"),
    _typo("explian analyze", "lesson:pg-explain"),
    _typo("isolaton levels", "lesson:pg-isolation"),
    _typo("serializble transaction retry", "lesson:pg-isolation"),
    _typo("mvcc snapshott", "lesson:pg-mvcc"),
    _typo("gin indx arrays", "lesson:pg-gin"),
    _typo("composit index", "lesson:pg-composite"),
    _typo("postgres defualt port", "question:pg-default-port"),
    _typo("contxt managers", "lesson:py-context-managers"),
    _typo("genrators yeild", "lesson:py-generators", "question:py-generator-keyword"),
    _typo("async awiat event loop", "lesson:py-async"),
    _typo("type hints mpyy", "lesson:py-type-hints"),
    _typo("custom exeptions python", "lesson:py-exceptions"),
    _typo("pyhton backend course", "course:python-for-backend"),
    # paraphrase: the question in the student's words, not the catalogue's.
    _para("how do I make my API return errors properly", "lesson:rest-status-codes"),
    _para("which response code when someone signs up with an email already in use", "lesson:rest-status-codes"),
    _para("my list endpoint shows the same item twice when rows are added between pages", "lesson:rest-pagination"),
    _para("safe way to resend a payment request after a timeout", "lesson:rest-http-methods"),
    _para("how to change my API without breaking the apps that use it", "lesson:rest-versioning"),
    _para("should my URLs contain verbs", "lesson:rest-resources"),
    _para(
        "does the server remember anything about the client between requests",
        "lesson:rest-intro",
        "question:rest-stateless",
    ),
    _para("too many database queries when loading a list and its related records", "lesson:gql-n-plus-one"),
    _para(
        "how many database calls for 20 courses if each title is fetched separately",
        "question:gql-n-plus-one-count",
        "lesson:gql-n-plus-one",
    ),
    _para("why is one field null when the rest of the response came back", "lesson:gql-errors"),
    _para("how does the server decide which function fills in each field", "lesson:gql-resolvers"),
    _para("get only the data one screen needs in a single request", "lesson:gql-intro"),
    _para("what does the exclamation mark after a type mean", "lesson:gql-types", "question:gql-nonnull"),
    _para("page through a long list in a graph api", "lesson:gql-connections"),
    _para("my query is slow, how do I see what the database is doing", "lesson:pg-explain"),
    _para("postgres expects a handful of rows but the query returns a huge number", "lesson:pg-explain"),
    _para("find rows whose array column contains a given value", "lesson:pg-gin"),
    _para("does the order of fields in a multi-column index matter", "lesson:pg-composite"),
    _para("why can a reader see old data while another transaction writes", "lesson:pg-mvcc"),
    _para("table keeps growing on disk although we delete rows", "lesson:pg-mvcc"),
    _para("two concurrent transactions each passed a check and together broke the rule", "lesson:pg-isolation"),
    _para(
        "which kind of index does postgres build if you do not pick one",
        "lesson:pg-btree",
        "question:pg-default-index",
    ),
    _para("run a function before and after another one", "lesson:py-decorators"),
    _para("make sure a file or connection is always closed even if something fails", "lesson:py-context-managers"),
    _para("process a huge file without loading it all into memory", "lesson:py-generators"),
    _para("one request doing heavy work freezes my whole async server", "lesson:py-async"),
    _para(
        "how long do three one-second waits take when run together",
        "question:py-gather-seconds",
        "lesson:py-async",
    ),
    _para("catch bugs before running the code by annotating functions", "lesson:py-type-hints"),
    _para("define my own error types for not found and similar failures", "lesson:py-exceptions"),
    _para("learn python for writing web servers", "course:python-for-backend"),
    _para("a beginner course on designing web apis", "course:rest-api-design"),
    _para("learn a query language where the client picks the fields", "course:graphql-fundamentals"),
    _para("a course on speeding up the database behind my app", "course:postgres-for-developers"),
)
