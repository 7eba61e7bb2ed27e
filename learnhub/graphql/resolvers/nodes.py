"""Refetching any object by its global id."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry

from learnhub.graphql.context import Info
from learnhub.graphql.execution.policy import may_see_attempt, may_see_enrollment
from learnhub.graphql.relay.node import Node, expect_uuid, from_global_id, to_global_id
from learnhub.graphql.resolvers import content, courses, users
from learnhub.graphql.types.content import not_found
from learnhub.graphql.types.quizzes import QuizAttempt
from learnhub.graphql.types.users import Enrollment


async def node(info: Info, global_id: Annotated[strawberry.ID, strawberry.argument(name="id")]) -> Node | None:
    """The record, or NOT_FOUND alike for an unknown id and for one the viewer may not see."""
    kind, local_id = from_global_id(global_id)
    found = await _find(info, kind, local_id)
    if found is None:
        raise not_found(kind, global_id)
    return found


async def _find(info: Info, kind: str, local_id: str) -> Node | None:
    ctx = info.context
    if kind == "Course":
        return await courses.course(info, to_global_id(kind, local_id), None)
    if kind == "Lesson":
        return await content.lesson(info, strawberry.ID(local_id))
    if kind == "Quiz":
        return await content.quiz(info, strawberry.ID(local_id))
    if kind == "Question":
        return await content.question(info, local_id)
    if kind == "User":
        user_id = expect_uuid(to_global_id(kind, local_id), kind)
        if not ctx.viewer.may_see_user(user_id):
            return None
        return await users.me(info) if ctx.viewer.user_id == user_id else await _user(info, user_id)
    if kind in ("Enrollment", "QuizAttempt"):
        return await _owned(info, kind, expect_uuid(to_global_id(kind, local_id), kind))
    return None


async def _user(info: Info, user_id: uuid.UUID) -> Node | None:
    from learnhub.graphql.types.users import User

    row = await info.context.loaders.user_by_id.load(user_id)
    return User.from_row(row) if row is not None else None


async def _owned(info: Info, kind: str, row_id: uuid.UUID) -> Node | None:
    """Enrollments and attempts: by the same record rules as their lists (graphql/execution/policy.py)."""
    from learnhub.datasources.postgres.enrollments import enrollments_by_ids

    viewer = info.context.viewer
    if viewer.user_id is None:
        return None
    if kind == "QuizAttempt":
        row = await info.context.loaders.quiz_attempt_by_id.load(row_id)
        build = QuizAttempt.from_row
    else:
        rows = await enrollments_by_ids(info.context.stores.engine, [row_id])
        row = rows[0] if rows else None
        build = Enrollment.from_row  # type: ignore[assignment]
    if row is None:
        return None
    visible = may_see_attempt if kind == "QuizAttempt" else may_see_enrollment
    if not await visible(info.context, row):
        return None
    result = build(row)
    assert result.id == to_global_id(kind, row_id)
    return result
