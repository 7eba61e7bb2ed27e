"""The course catalogue."""

from __future__ import annotations

from learnhub.context import Info
from learnhub.datasources.postgres import courses
from learnhub.errors import BadUserInput
from learnhub.schema.courses import Course, CourseFilter
from learnhub.schema.node import expect_uuid
from learnhub.schema.pagination import Connection, connection, page_request


def _visible(info: Info, row_published: bool) -> bool:
    return row_published or info.context.viewer.is_staff


async def list_courses(
    info: Info, first: int | None, after: str | None, filter: CourseFilter | None
) -> Connection[Course]:
    ctx = info.context
    request = page_request(ctx.settings, first, after)
    given = filter or CourseFilter()
    published = given.published if ctx.viewer.is_staff else True
    where = courses.CourseFilter(tag=given.tag, level=given.level.value if given.level else None, published=published)
    page = await courses.list_courses(ctx.stores.engine, where, request)
    return connection(page, request, Course.from_row, lambda: courses.count_courses(ctx.stores.engine, where))


async def course(info: Info, id: str | None, content_id: str | None) -> Course | None:
    if (id is None) == (content_id is None):
        raise BadUserInput("Give exactly one of `id` and `contentId`", argument="id")
    loaders = info.context.loaders
    if id is not None:
        row = await loaders.course_by_id.load(expect_uuid(id, "Course"))
    else:
        assert content_id is not None
        row = await loaders.course_by_content_id.load(content_id)
    if row is None or not _visible(info, row["published"]):
        return None
    return Course.from_row(row)
