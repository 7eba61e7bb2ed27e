"""The course catalogue."""

from __future__ import annotations

import strawberry

from learnhub.core.errors import BadUserInput
from learnhub.datasources.postgres import courses
from learnhub.graphql.context import Info
from learnhub.graphql.relay.connections import Connection, paged
from learnhub.graphql.relay.node import expect_uuid
from learnhub.graphql.relay.selection import CONNECTION_ITEMS
from learnhub.graphql.types.content import not_found
from learnhub.graphql.types.courses import Course, CourseFilter, with_content


async def list_courses(
    info: Info, first: int | None = None, after: str | None = None, filter: CourseFilter | None = None
) -> Connection[Course]:
    ctx = info.context
    given = filter or CourseFilter()
    published = given.published if ctx.viewer.is_admin else True
    where = courses.CourseFilter(tag=given.tag, level=given.level.value if given.level else None, published=published)
    result = await paged(ctx, courses.catalogue(where), first, after, Course.from_row)
    await with_content(info, [edge.node for edge in result.edges], CONNECTION_ITEMS)
    return result


async def course(info: Info, id: strawberry.ID | None = None, content_id: str | None = None) -> Course | None:
    if (id is None) == (content_id is None):
        raise BadUserInput("Give exactly one of `id` and `contentId`", argument="id")
    loaders = info.context.loaders
    if id is not None:
        row = await loaders.course_by_id.load(expect_uuid(id, "Course"))
    else:
        assert content_id is not None
        row = await loaders.course_by_content_id.load(content_id)
    if row is None:  # unknown, or not visible to the viewer (the loaders apply auth/visibility.py)
        raise not_found("Course", id if id is not None else content_id)
    found = Course.from_row(row)
    await with_content(info, [found], ((),))
    return found
