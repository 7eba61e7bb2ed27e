"""Lessons and quizzes by id."""

from __future__ import annotations

import strawberry

from learnhub.auth.visibility import visible_questions
from learnhub.core.errors import BadUserInput
from learnhub.datasources.mongo import content
from learnhub.graphql.context import Info
from learnhub.graphql.relay.connections import Connection, Edge, PageInfo
from learnhub.graphql.relay.cursors import decode_cursor, encode_cursor
from learnhub.graphql.relay.node import expect_content_id
from learnhub.graphql.types.content import Lesson, found
from learnhub.graphql.types.enums import QuestionType
from learnhub.graphql.types.quizzes import Question, Quiz, question_from_doc


async def lesson(info: Info, id: strawberry.ID) -> Lesson | None:
    content_id = expect_content_id(id, "Lesson", "lesson")
    return Lesson.from_doc(await found(info.context.loaders.lesson_by_id, "Lesson", content_id))


async def quiz(info: Info, id: strawberry.ID) -> Quiz | None:
    content_id = expect_content_id(id, "Quiz", "quiz")
    return Quiz.from_doc(await found(info.context.loaders.quiz_by_id, "Quiz", content_id))


async def question(info: Info, content_id: str) -> Question:
    return question_from_doc(await found(info.context.loaders.question_by_id, "Question", content_id))


# The question bank is a flat list editors and the older app page through in big pages.
MAX_QUESTION_PAGE = 500
_CURSOR = "q1:"


async def question_bank(
    info: Info,
    first: int | None = None,
    after: str | None = None,
    type: QuestionType | None = None,
    tag: str | None = None,
) -> Connection[Question]:
    size = info.context.settings.default_page_size if first is None else first
    if not 0 <= size <= MAX_QUESTION_PAGE:
        raise BadUserInput(
            f"`first` must be between 0 and {MAX_QUESTION_PAGE}", argument="first", max=MAX_QUESTION_PAGE
        )
    db = info.context.stores.mongo_db
    kind = type.value if type is not None else None
    after_id = decode_cursor(_CURSOR, after) if after is not None else None
    listed = await visible_questions(info.context.stores.engine, db, info.context.viewer)
    docs = await content.question_bank_page(db, listed, kind, tag, after_id=after_id, limit=size + 1)
    edges = [
        Edge(
            cursor=encode_cursor(_CURSOR, d["_id"]),
            node=question_from_doc(d, listed[d["_id"]] if listed is not None else None),
        )
        for d in docs[:size]
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(docs) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=lambda: content.count_question_bank(db, listed, kind, tag),
    )
