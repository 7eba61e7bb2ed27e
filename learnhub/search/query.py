"""Running a search: keyword (Typesense), semantic (pgvector) or both fused.

One request makes at most one Typesense call (a multi-search over the kinds asked for) and
one pgvector query, whatever `first` is; the records are then loaded by the caller through the
visible loaders. `didYouMean` costs one vocabulary lookup and one count, and only when the
keyword side found nothing.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.exc import SQLAlchemyError

from learnhub.core.settings import Settings
from learnhub.datasources.embeddings import EmbeddingFailed
from learnhub.datasources.postgres import chunks as chunk_store
from learnhub.datasources.postgres.courses import CourseScope
from learnhub.datasources.stores import Stores
from learnhub.datasources.typesense import SearchUnavailable
from learnhub.search.collections import (
    FIELDS,
    KINDS,
    QUERY_BY,
    SNIPPET_FIELDS,
    TITLE_FIELD,
    Kind,
    alias,
    one_of,
    quoted,
)
from learnhub.search.documents import PUBLIC, owner_token
from learnhub.search.fusion import reciprocal_rank_fusion

logger = logging.getLogger("learnhub.search")

Mode = Literal["keyword", "semantic", "hybrid"]
# Private-use characters mark highlights inside Typesense's snippets: content never holds them,
# so after escaping the text they become <mark> tags and nothing else can.
_START, _END = "\ue000", "\ue001"
# Words that carry no topic. Typesense 0.24 has no stop-word list, and a question such as
# "how do I make my API return errors properly" otherwise needs every word to match.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "my",
        "of",
        "on",
        "or",
        "so",
        "the",
        "this",
        "to",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
        "me",
        "we",
        "our",
        "should",
        "would",
        "could",
    ]
)
_TOKEN = re.compile(r"\w[\w'+#.-]*", re.UNICODE)
# Every page of one query ranks the same window of candidates on each side: fused scores depend
# on the candidates' ranks, so a window growing with the page reordered the pages before it
# (pages 1 and 2 of one query shared hits). 100 keeps ten pages of ten consistent.
WINDOW = 100


class SearchFailed(RuntimeError):
    """Neither side could answer (or KEYWORD mode without Typesense)."""


@dataclass(frozen=True)
class SearchQuery:
    text: str
    mode: Mode = "hybrid"
    kinds: tuple[Kind, ...] = KINDS
    course_id: str | None = None  # content id
    tags: tuple[str, ...] = ()
    level: str | None = None
    within_courses: tuple[str, ...] | None = None  # content ids: the viewer's enrolled courses
    limit: int = WINDOW  # candidates per side
    facets: bool = True  # count tags, levels and kinds (one Typesense pass less work when not)


@dataclass
class Hit:
    kind: Kind
    content_id: str
    course_id: str
    title: str = ""
    snippets: dict[str, str] = field(default_factory=dict)  # field -> escaped text with <mark>
    preview: bool = False
    score: float = 0.0
    keyword_rank: int | None = None
    semantic_rank: int | None = None


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    degraded: list[str] = field(default_factory=list)
    did_you_mean: str | None = None


def keyword_text(text: str) -> str:
    """The query Typesense gets: stop words dropped when other words remain."""
    # Sentence punctuation is not part of a word ("fix it." ends in "it"); inner dots and
    # signs are ("node.js", "c++", "c#").
    tokens = [t for t in (raw.rstrip(".'-") for raw in _TOKEN.findall(text.lower())) if t]
    kept = [t for t in tokens if t not in STOP_WORDS]
    return " ".join(kept or tokens)


def visible_tokens(scope: CourseScope) -> list[str] | None:
    """The `visible_to` values the viewer may see; None: everything (admins)."""
    if scope.everything:
        return None
    return [PUBLIC] + ([owner_token(scope.owner_id)] if scope.owner_id is not None else [])


def _filter(kind: Kind, query: SearchQuery, visible: list[str] | None) -> str:
    parts = []
    if visible is not None:
        parts.append("visible_to:=" + one_of(visible))
    course_field = "course_ids" if kind == "question" else "course_id"
    if query.course_id is not None:
        parts.append(f"{course_field}:={quoted(query.course_id)}")
    if query.within_courses is not None:
        parts.append(f"{course_field}:=" + one_of(query.within_courses))
    if query.tags:
        parts.append("tags:=" + one_of(query.tags))
    if query.level is not None:
        parts.append(f"level:={quoted(query.level)}")
    return " && ".join(parts)


def _keyword_searches(stores: Stores, query: SearchQuery, text: str, visible: list[str] | None) -> list[dict[str, Any]]:
    searches = []
    for kind in query.kinds:
        fields = QUERY_BY[kind]
        params: dict[str, Any] = {
            "collection": alias(stores.settings, kind),
            "q": text,
            "query_by": ",".join(name for name, _ in fields),
            "query_by_weights": ",".join(str(weight) for _, weight in fields),
            "per_page": min(query.limit, 250),  # Typesense's maximum
            "page": 1,
            "include_fields": ",".join(sorted({"key", "course_id", TITLE_FIELD[kind], "preview"} & _fields(kind))),
            "highlight_fields": ",".join(SNIPPET_FIELDS[kind]),
            "highlight_start_tag": _START,
            "highlight_end_tag": _END,
            "highlight_affix_num_tokens": 12,
            "snippet_threshold": 40,
        }
        if where := _filter(kind, query, visible):
            params["filter_by"] = where
        if query.facets:  # read only what the query selects (DESIGN.md 4.5)
            params |= {"facet_by": "tags,level", "max_facet_values": 20}
        searches.append(params)
    return searches


def _fields(kind: Kind) -> set[str]:
    return {"key", "course_id"} | {f["name"] for f in FIELDS[kind]}


def marked(snippet: str) -> str:
    """Typesense's snippet, HTML-escaped, its highlights as <mark> tags."""
    return html.escape(snippet, quote=False).replace(_START, "<mark>").replace(_END, "</mark>")


async def _keyword(stores: Stores, query: SearchQuery, visible: list[str] | None) -> _Side:
    results = await stores.search.multi_search(_keyword_searches(stores, query, keyword_text(query.text), visible))
    return _keyword_hits(query.kinds, results)


def _keyword_hits(kinds: Sequence[Kind], results: Sequence[Mapping[str, Any]]) -> _Side:
    hits: list[tuple[int, int, Hit]] = []
    total = 0
    facets = Facets()
    for kind_index, (kind, result) in enumerate(zip(kinds, results, strict=True)):
        found = int(result.get("found", 0))
        total += found
        facets.kinds[kind.upper()] += found
        for count in result.get("facet_counts", []):
            target = facets.tags if count["field_name"] == "tags" else facets.levels
            for entry in count.get("counts", []):
                target[str(entry["value"])] += int(entry["count"])
        for item in result.get("hits", []):
            doc = item["document"]
            snippets = {h["field"]: marked(h["snippet"]) for h in item.get("highlights", []) if h.get("snippet")}
            hit = Hit(
                kind=kind,
                content_id=doc["key"],
                course_id=doc.get("course_id", ""),
                title=str(doc.get(TITLE_FIELD[kind], "")),
                snippets=snippets,
                preview=bool(doc.get("preview", False)),
                score=float(item.get("text_match", 0)),
            )
            hits.append((-int(item.get("text_match", 0)), kind_index, hit))
    hits.sort(key=lambda entry: (entry[0], entry[1]))
    ordered = [hit for _, _, hit in hits]
    for rank, hit in enumerate(ordered, start=1):
        hit.keyword_rank = rank
    return _Side(ordered, total, facets)


@dataclass
class Facets:
    kinds: Counter[str] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)
    levels: Counter[str] = field(default_factory=Counter)

    def as_lists(self) -> dict[str, list[tuple[str, int]]]:
        def ordered(counter: Counter[str]) -> list[tuple[str, int]]:
            return sorted(((k, v) for k, v in counter.items() if v), key=lambda kv: (-kv[1], kv[0]))

        return {"kind": ordered(self.kinds), "tags": ordered(self.tags), "level": ordered(self.levels)}


def _excerpt(text: str, limit: int = 220) -> str:
    flat = " ".join(text.split())
    return html.escape(flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + " …", quote=False)


async def _semantic(stores: Stores, query: SearchQuery, scope: CourseScope) -> _Side:
    embedder = stores.embedder
    vector = embedder.embed([query.text])[0]
    course_ids: list[str] | None = None
    if query.course_id is not None:
        course_ids = [query.course_id]
    if query.within_courses is not None:
        course_ids = [c for c in query.within_courses if course_ids is None or c in course_ids]
    model = await chunk_store.active_model(stores.engine, embedder.name)
    if model is None:  # nothing embedded with this model yet
        return _Side([], 0, Facets())
    rows = await chunk_store.nearest_lessons(
        stores.vectors,
        model,
        chunk_store.Near(vector=vector),
        scope,
        limit=query.limit,
        min_similarity=stores.settings.search_semantic_min_similarity,
        course_ids=course_ids,
        tags=query.tags,
        level=query.level,
    )
    facets = Facets()
    hits = []
    for rank, row in enumerate(rows, start=1):
        facets.kinds["LESSON"] += 1
        facets.tags.update(row["tags"])
        facets.levels[row["level"]] += 1
        hits.append(
            Hit(
                kind="lesson",
                content_id=row["lesson_id"],
                course_id=row["course_id"],
                snippets={"body": _excerpt(row["text"])},
                score=float(row["similarity"]),
                semantic_rank=rank,
            )
        )
    return _Side(hits, len(hits), facets)


@dataclass
class _Side:
    """One side's answer: its hits best first, how many it found, its facets."""

    hits: list[Hit]
    total: int
    facets: Facets


# What a failing store raises on each side: the request then answers from the other side.
_SIDE_FAILURES = (SearchUnavailable, EmbeddingFailed, SQLAlchemyError, OSError)


async def _attempt(side: Awaitable[_Side], name: str) -> _Side | Exception:
    try:
        return await side
    except _SIDE_FAILURES as exc:
        logger.warning("%s search failed: %s: %s", name, type(exc).__name__, exc)
        return exc


async def _nothing() -> _Side | Exception | None:
    return None


async def run(stores: Stores, query: SearchQuery, scope: CourseScope) -> SearchResult:
    """Candidates for one page, best first; raise SearchFailed when no side could answer."""
    visible = visible_tokens(scope)
    keyword_wanted = query.mode in ("keyword", "hybrid") and bool(query.kinds)
    semantic_wanted = query.mode in ("semantic", "hybrid") and "lesson" in query.kinds
    keyword, semantic = await asyncio.gather(
        _attempt(_keyword(stores, query, visible), "keyword") if keyword_wanted else _nothing(),
        _attempt(_semantic(stores, query, scope), "semantic") if semantic_wanted else _nothing(),
    )
    if keyword is None and semantic is None:  # e.g. SEMANTIC over courses only: nothing to rank
        return SearchResult([], 0, Facets().as_lists())
    degraded = []
    if isinstance(keyword, Exception):
        if not isinstance(semantic, _Side):
            raise SearchFailed("Search is unavailable; try again shortly") from keyword
        degraded.append("Keyword search is unavailable; these results come from semantic search alone")
    if isinstance(semantic, Exception):
        if not isinstance(keyword, _Side):
            raise SearchFailed("Search is unavailable; try again shortly") from semantic
        degraded.append("Semantic search is unavailable; these results come from keyword search alone")
    if isinstance(keyword, _Side) and isinstance(semantic, _Side):
        settings = stores.settings
        hits = _fuse(keyword.hits, semantic.hits, settings)
        keyword_keys = {h.content_id for h in keyword.hits}
        total = keyword.total + sum(1 for h in semantic.hits if h.content_id not in keyword_keys)
        facets = keyword.facets
    else:
        answered = keyword if isinstance(keyword, _Side) else semantic
        assert isinstance(answered, _Side)
        hits, total, facets = answered.hits, answered.total, answered.facets
    result = SearchResult(hits[: query.limit], total, facets.as_lists(), degraded)
    if isinstance(keyword, _Side) and keyword.total == 0:
        result.did_you_mean = await did_you_mean(stores, query, visible)
    return result


def _fuse(keyword: list[Hit], semantic: list[Hit], settings: Settings) -> list[Hit]:
    """One ranking from both sides (reciprocal rank fusion); hits past both sides' fusion depth
    follow, by their best rank on either side."""
    by_key: dict[str, Hit] = {}
    for hit in keyword:
        by_key[hit.content_id] = hit
    for hit in semantic:
        known = by_key.get(hit.content_id)
        if known is None:
            by_key[hit.content_id] = hit
        else:
            known.semantic_rank = hit.semantic_rank
            known.snippets.setdefault("chunk", hit.snippets["body"])
    scores = reciprocal_rank_fusion(
        [[h.content_id for h in keyword], [h.content_id for h in semantic]],
        weights=[settings.search_keyword_weight, settings.search_semantic_weight],
        k=settings.search_rrf_k,
        depth=settings.search_rrf_depth,
    )

    def best_rank(hit: Hit) -> int:
        return min(r for r in (hit.keyword_rank, hit.semantic_rank, WINDOW + 1) if r is not None)

    fused = sorted(by_key.values(), key=lambda h: (-scores[h.content_id], best_rank(h), h.content_id))
    for hit in fused:
        hit.score = scores[hit.content_id]
    return fused


async def did_you_mean(stores: Stores, query: SearchQuery, visible: list[str] | None) -> str | None:
    """A respelling of the query whose words are all in the vocabulary, offered only when it
    finds something the viewer may see."""
    tokens = _TOKEN.findall(query.text.lower())
    if not tokens or len(tokens) > 12:
        return None
    replacements = await chunk_store.closest_terms(stores.engine, tokens)
    if not any(replacements.values()):
        return None
    # Unknown words with no close spelling are dropped ("graph kwel" -> "graphql").
    kept = [replacements.get(t, t) for t in tokens]
    suggestion = " ".join(word for word in kept if word)
    probe = SearchQuery(
        suggestion, "keyword", query.kinds, query.course_id, query.tags, query.level, query.within_courses, 1
    )
    try:
        results = await stores.search.multi_search(
            [
                s | {"per_page": 0, "facet_by": ""}
                for s in _keyword_searches(stores, probe, keyword_text(suggestion), visible)
            ]
        )
    except SearchUnavailable:
        return None
    return suggestion if any(int(r.get("found", 0)) for r in results) else None
