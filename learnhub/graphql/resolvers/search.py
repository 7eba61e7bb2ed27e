"""`search` and `relatedLessons`: ranked hits, each record loaded through the visible loaders."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Sequence
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError

from learnhub.auth.visibility import course_scope
from learnhub.core.errors import BadUserInput, SearchDegraded, SearchUnavailable
from learnhub.datasources.postgres.enrollments import enrolled_course_content_ids
from learnhub.graphql.context import Info
from learnhub.graphql.execution.policy import may_read_lesson
from learnhub.graphql.relay.connections import PageInfo
from learnhub.graphql.relay.node import expect_content_id, expect_uuid
from learnhub.graphql.relay.selection import selects
from learnhub.graphql.types.content import Lesson, found, not_found
from learnhub.graphql.types.courses import Course, with_content
from learnhub.graphql.types.enums import CourseLevel
from learnhub.graphql.types.quizzes import question_from_doc
from learnhub.graphql.types.search import (
    FacetCount,
    SearchFacets,
    SearchHit,
    SearchHitConnection,
    SearchHitEdge,
    SearchKind,
    SearchMode,
    plain,
)
from learnhub.search import related as related_lessons
from learnhub.search.query import WINDOW, Hit, SearchFailed, SearchQuery, run

# Bounds: a search box's text, a results page, a facet filter. Longer queries add nothing to
# ranking (the keyword side keeps the first words, the embedding averages them all).
MAX_QUERY_CHARS = 200
MAX_FIRST = 50
MAX_TAGS = 20
# Hits of records hidden since they were indexed are dropped after loading; a few spare
# candidates keep the page full.
SPARE = 5
_CURSOR = "search:"


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR}{position}".encode()).decode()


def _position(after: str | None) -> int:
    if after is None:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(after.encode()).decode()
        if decoded.startswith(_CURSOR):
            position = int(decoded[len(_CURSOR) :])
            if position >= 0:
                return position
    except (ValueError, binascii.Error, UnicodeDecodeError):
        pass
    raise BadUserInput("`after` is not a cursor of this search", argument="after")


def _checked_text(query: str) -> str:
    text = " ".join(query.split())
    if not text:
        raise BadUserInput("Type something to search for", argument="query")
    if len(text) > MAX_QUERY_CHARS:
        raise BadUserInput(f"Search for at most {MAX_QUERY_CHARS} characters", argument="query", max=MAX_QUERY_CHARS)
    return text


async def _course_filter(info: Info, course_id: strawberry.ID | None) -> str | None:
    """The content id of `courseId` (a course's id or content id); NOT_FOUND alike for an
    unknown course and one the viewer may not see."""
    if course_id is None:
        return None
    loaders = info.context.loaders
    if str(course_id).startswith("course:"):
        row = await loaders.course_by_content_id.load(str(course_id))
    else:
        row = await loaders.course_by_id.load(expect_uuid(course_id, "Course"))
    if row is None:
        raise not_found("Course", course_id)
    return str(row["content_id"])


async def search(
    info: Info,
    query: str,
    *,
    mode: SearchMode = SearchMode.HYBRID,
    kinds: list[SearchKind] | None = None,
    course_id: strawberry.ID | None = None,
    tags: list[str] | None = None,
    level: CourseLevel | None = None,
    enrolled_only: bool = False,
    first: int = 10,
    after: str | None = None,
) -> SearchHitConnection:
    ctx = info.context
    text = _checked_text(query)
    if not 0 <= first <= MAX_FIRST:
        raise BadUserInput(f"`first` must be between 0 and {MAX_FIRST}", argument="first", max=MAX_FIRST)
    if tags is not None and (len(tags) > MAX_TAGS or any(not 0 < len(t) <= 64 for t in tags)):
        raise BadUserInput(f"Give at most {MAX_TAGS} tags of 1 to 64 characters", argument="tags")
    start = _position(after)
    course_content_id = await _course_filter(info, course_id)
    within: tuple[str, ...] | None = None
    if enrolled_only:
        within = tuple(await enrolled_course_content_ids(ctx.stores.engine, ctx.require_user()))
    wanted = tuple(dict.fromkeys(k.value for k in kinds)) if kinds is not None else ("course", "lesson", "question")
    request = SearchQuery(
        text=text,
        mode=mode.value,
        kinds=wanted,  # type: ignore[arg-type]  # SearchKind values are the domain's kinds
        course_id=course_content_id,
        tags=tuple(tags or ()),
        level=level.value if level is not None else None,
        within_courses=within,
        limit=WINDOW,
        facets=selects(info, "facets"),
    )
    if start >= WINDOW or first == 0 or (within is not None and not within) or not wanted:
        request = SearchQuery(text, mode.value, wanted, limit=0)  # type: ignore[arg-type]
    try:
        result = await run(ctx.stores, request, course_scope(ctx.viewer))
    except SearchFailed as exc:
        raise SearchUnavailable(str(exc)) from exc
    for message in result.degraded:
        ctx.report(GraphQLError(message, path=info.path.as_list(), original_error=SearchDegraded(message)))
    candidates = result.hits[start:]
    shown = await _with_records(info, candidates[: first + SPARE])
    page = shown[:first]
    edges = [SearchHitEdge(cursor=_cursor(start + index + 1), node=hit) for index, hit in page]
    # More candidates after the last one shown (those past it were loaded only to fill the page).
    has_next = bool(page) and start + page[-1][0] + 1 < len(result.hits)
    answered = [m for m in _modes(mode) if not any(m.value.capitalize() in d for d in result.degraded)]
    return SearchHitConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=result.total,
        facets=SearchFacets(
            kinds=[FacetCount(value=v, count=c) for v, c in result.facets["kind"]],
            tags=[FacetCount(value=v, count=c) for v, c in result.facets["tags"]],
            levels=[FacetCount(value=v, count=c) for v, c in result.facets["level"]],
        ),
        did_you_mean=result.did_you_mean,
        answered_by=answered,
    )


def _modes(mode: SearchMode) -> list[SearchMode]:
    return [SearchMode.KEYWORD, SearchMode.SEMANTIC] if mode == SearchMode.HYBRID else [mode]


async def _with_records(info: Info, hits: Sequence[Hit]) -> list[tuple[int, SearchHit]]:
    """The hits whose records the viewer may see, each with its record, in one batch per store;
    (index among `hits`, hit). A lesson's body is quoted only where `Lesson.body` may be read."""
    loaders = info.context.loaders

    async def record(hit: Hit) -> Any:
        if hit.kind == "course":
            row = await loaders.course_by_content_id.load(hit.content_id)
            return Course.from_row(row) if row is not None else None
        if hit.kind == "lesson":
            doc = await loaders.lesson_by_id.load(hit.content_id)
            return Lesson.from_doc(doc) if doc is not None else None
        doc = await loaders.question_by_id.load(hit.content_id)
        return question_from_doc(doc) if doc is not None else None

    # The hits' course rows in one batch, asked for beside the records: the visibility checks of
    # lessons and questions (made after their documents arrive) then find them cached, so a page
    # costs the same round trips whatever kinds it holds.
    courses_of_hits = loaders.course_by_content_id.load_many(sorted({h.course_id for h in hits if h.course_id}))
    _, *records = await asyncio.gather(courses_of_hits, *(record(hit) for hit in hits))
    courses = [r for r in records if isinstance(r, Course)]
    await with_content(info, courses, (("edges", "node", "record"), ("nodes", "record")))
    readable = await asyncio.gather(
        *(
            may_read_lesson(info.context, r.course_content_id, r.preview) if isinstance(r, Lesson) else _true()
            for r in records
        )
    )
    shown = []
    for index, (hit, rec, may_read) in enumerate(zip(hits, records, readable, strict=True)):
        if rec is None:
            continue
        # Typesense sends every hit's title; a semantic-only hit is a lesson, which has one.
        title = hit.title or (rec.title if isinstance(rec, Lesson) else "")
        shown.append(
            (
                index,
                SearchHit(
                    kind=SearchKind(hit.kind),
                    content_id=hit.content_id,
                    title=title,
                    snippet=_snippet(hit, rec, may_read),
                    score=hit.score,
                    record=rec,
                ),
            )
        )
    return shown


async def _true() -> bool:
    return True


def _snippet(hit: Hit, rec: Any, may_read_body: bool) -> str:
    """The best matching text the viewer may read: a lesson's body (or the semantic chunk) only
    for its readers, else its summary; a course's summary or description; a question's prompt."""
    snippets = hit.snippets
    if hit.kind == "lesson":
        order = ("body", "chunk", "summary", "title") if may_read_body else ("summary", "title")
        for name in order:
            if snippets.get(name):
                return snippets[name]
        return plain(rec.summary or rec.title)
    for name in ("summary", "description", "title", "prompt"):
        if snippets.get(name):
            return snippets[name]
    return plain(getattr(rec, "summary", "") or getattr(rec, "prompt", "") or hit.title)


async def related(
    info: Info,
    lesson_id: strawberry.ID,
    first: Annotated[int, strawberry.argument(description="At most 20.")] = 5,
) -> list[Lesson]:
    """Lessons nearest in meaning to this one (by their embeddings), best first; the lesson's own
    course included. NOT_FOUND for a lesson the viewer may not see."""
    content_id = expect_content_id(lesson_id, "Lesson", "lesson")
    if not 0 <= first <= 20:
        raise BadUserInput("`first` must be between 0 and 20", argument="first", max=20)
    await found(info.context.loaders.lesson_by_id, "Lesson", content_id)
    ctx = info.context
    ids = await related_lessons.nearest_to_lesson(ctx.stores, content_id, course_scope(ctx.viewer), first + SPARE)
    docs = await ctx.loaders.lesson_by_id.load_many(ids)
    return [Lesson.from_doc(doc) for doc in docs if doc is not None][:first]
