"""The viewer and the lists that belong to a user."""

from __future__ import annotations

import uuid

from learnhub.auth.visibility import course_scope
from learnhub.context import Info
from learnhub.datasources.postgres import attempts, enrollments
from learnhub.schema.pagination import Connection, connection, page_request
from learnhub.schema.quizzes import QuizAttempt
from learnhub.schema.selection import CONNECTION_ITEMS
from learnhub.schema.users import Enrollment, User, with_courses


async def me(info: Info) -> User | None:
    ctx = info.context
    if ctx.viewer.user_id is None:
        if ctx.viewer.token_error:
            ctx.require_user()  # raises UNAUTHENTICATED with the reason
        return None
    row = await ctx.loaders.user_by_id.load(ctx.viewer.user_id)
    return User.from_row(row) if row is not None else None


async def enrollments_of(
    info: Info, user_id: uuid.UUID, first: int | None, after: str | None
) -> Connection[Enrollment]:
    engine = info.context.stores.engine
    request = page_request(info.context.settings, first, after)
    scope = course_scope(info.context.viewer)
    page = await enrollments.enrollments_of_user(engine, user_id, scope, request)
    result = connection(
        page, request, Enrollment.from_row, lambda: enrollments.count_enrollments_of_user(engine, user_id, scope)
    )
    await with_courses(info, [edge.node for edge in result.edges], CONNECTION_ITEMS)
    return result


async def attempts_of(info: Info, user_id: uuid.UUID, first: int | None, after: str | None) -> Connection[QuizAttempt]:
    engine = info.context.stores.engine
    request = page_request(info.context.settings, first, after)
    scope = course_scope(info.context.viewer)
    page = await attempts.attempts_of_user(engine, user_id, scope, request)
    return connection(
        page, request, QuizAttempt.from_row, lambda: attempts.count_attempts_of_user(engine, user_id, scope)
    )
