"""Search results: hits over courses, lessons and questions, with facets and a spelling hint."""

from __future__ import annotations

import html
from enum import Enum
from typing import Annotated

import strawberry

from learnhub.graphql.relay.connections import PageInfo
from learnhub.graphql.types.content import Lesson
from learnhub.graphql.types.courses import Course
from learnhub.graphql.types.quizzes import (
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)


@strawberry.enum(description="How to match: by words (typo-tolerant), by meaning, or both fused.")
class SearchMode(Enum):
    KEYWORD = "keyword"
    SEMANTIC = "semantic"
    HYBRID = "hybrid"


@strawberry.enum
class SearchKind(Enum):
    COURSE = "course"
    LESSON = "lesson"
    QUESTION = "question"


SearchRecord = Annotated[
    Course
    | Lesson
    | SingleChoiceQuestion
    | MultipleChoiceQuestion
    | TrueFalseQuestion
    | ShortTextQuestion
    | OrderingQuestion
    | NumericQuestion,
    strawberry.union("SearchRecord", description="The record a hit found; questions by their type."),
]


@strawberry.type
class SearchHit:
    kind: SearchKind
    content_id: str = strawberry.field(description="course:..., lesson:... or question:...")
    title: str = strawberry.field(description="The record's title (a question's prompt).")
    snippet: str = strawberry.field(
        description="Where the query matched, HTML-escaped, matches wrapped in <mark></mark>. A lesson's "
        "body is quoted only to viewers who may read it; others get its summary."
    )
    score: float = strawberry.field(
        description="Ranking score: the fused reciprocal-rank score (HYBRID), Typesense's text match (KEYWORD) "
        "or cosine similarity (SEMANTIC). Compare within one answer only."
    )
    record: SearchRecord


@strawberry.type
class SearchHitEdge:
    cursor: str
    node: SearchHit


@strawberry.type
class FacetCount:
    value: str
    count: int


@strawberry.type(description="How many hits each value has, over every hit (not only this page).")
class SearchFacets:
    kinds: list[FacetCount]
    tags: list[FacetCount]
    levels: list[FacetCount]


@strawberry.type(description="Search hits, best first; pass `pageInfo.endCursor` as `after` for more.")
class SearchHitConnection:
    edges: list[SearchHitEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Hits found (an estimate above a few hundred).")
    facets: SearchFacets
    did_you_mean: str | None = strawberry.field(
        description="A respelling that finds something, when the words as typed found nothing."
    )
    answered_by: list[SearchMode] = strawberry.field(
        description="The modes that answered: one fewer than asked when a search server is down."
    )

    @strawberry.field(description="The edges' nodes, for clients that need no cursors.")
    def nodes(self) -> list[SearchHit]:
        return [edge.node for edge in self.edges]


def plain(text: str) -> str:
    """Text shown as a snippet without highlights: escaped like the highlighted ones."""
    return html.escape(" ".join(text.split()), quote=False)
