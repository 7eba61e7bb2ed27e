"""Share links: create and revoke (the course's instructor, admins), and open one (anyone)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from starlette.responses import Response

from learnhub.core.errors import Forbidden, RateLimited
from learnhub.graphql.context import Info
from learnhub.graphql.execution.policy import owns_course_content
from learnhub.graphql.relay.node import expect_content_id, expect_uuid
from learnhub.graphql.types.sharing import (
    CreateShareLinkInput,
    SharedContent,
    ShareEntity,
    ShareLink,
    ShareLinkError,
    ShareLinkErrorCode,
    ShareLinkPayload,
    shared_content,
)
from learnhub.sharing import links
from learnhub.sharing.links import NewLink

_NOT_YOURS = "Only the course's instructor or an admin can share it"


def _errors(refused: list[links.Refused]) -> list[ShareLinkError]:
    return [ShareLinkError(field=r.field, message=r.message, code=ShareLinkErrorCode(r.code)) for r in refused]


def _missing(field: str, what: str) -> ShareLinkPayload:
    return ShareLinkPayload(errors=_errors([links.Refused("NOT_FOUND", f"No such {what}", field)]))


async def _target(info: Info, entity: ShareEntity, given: str) -> tuple[str, str] | None:
    """(content id of the entity, content id of its course) when the viewer may see the entity;
    None otherwise (the visibility loaders: a hidden record reads as an unknown id)."""
    loaders = info.context.loaders
    if entity is ShareEntity.COURSE:
        if given.startswith("course:"):
            row = await loaders.course_by_content_id.load(given)
        else:
            row = await loaders.course_by_id.load(expect_uuid(given, "Course"))
        return (row["content_id"], row["content_id"]) if row is not None else None
    if entity is ShareEntity.LESSON:
        content_id = expect_content_id(given, "Lesson", "lesson")
        doc = await loaders.lesson_by_id.load(content_id)
    else:
        content_id = expect_content_id(given, "Quiz", "quiz")
        doc = await loaders.quiz_by_id.load(content_id)
    return (content_id, str(doc["course_id"])) if doc is not None else None


async def create_share_link(
    info: Info, data: Annotated[CreateShareLinkInput, strawberry.argument(name="input")]
) -> ShareLinkPayload:
    ctx = info.context
    user_id = ctx.require_user()
    target = await _target(info, data.entity, data.id)
    if target is None:
        return _missing("id", data.entity.value)
    entity_id, course_id = target
    if not await owns_course_content(ctx, course_id):
        raise Forbidden(_NOT_YOURS)
    new = NewLink(
        entity=data.entity.value,
        entity_id=entity_id,
        course_id=course_id,
        created_by=user_id,
        expires_at=data.expires_at,
        max_uses=data.max_uses,
    )
    outcome = await links.create_link(ctx.stores, new)
    if isinstance(outcome, list):
        return ShareLinkPayload(errors=_errors(outcome))
    return ShareLinkPayload(share_link=ShareLink.from_row(outcome.link, outcome.url), token=outcome.token)


async def revoke_share_link(
    info: Info, link_id: Annotated[strawberry.ID, strawberry.argument(name="id")]
) -> ShareLinkPayload:
    """The creator, the course's instructor or an admin; a link of a course the viewer may not
    see answers like an unknown id. Revoking a revoked link changes nothing."""
    ctx = info.context
    user_id = ctx.require_user()
    found = await links.find_link(ctx.stores, expect_uuid(link_id, "ShareLink"))
    if found is None:
        return _missing("id", "share link")
    if found["created_by"] != user_id:
        if await ctx.loaders.course_by_content_id.load(found["course_id"]) is None:
            return _missing("id", "share link")
        if not await owns_course_content(ctx, found["course_id"]):
            raise Forbidden("Only the link's creator, the course's instructor or an admin can revoke it")
    revoked = await links.revoke_link(ctx.stores, found["id"])
    if revoked is None:
        return _missing("id", "share link")
    return ShareLinkPayload(share_link=ShareLink.from_row(revoked))


async def shared(info: Info, token: str) -> SharedContent | None:
    ctx = info.context
    try:
        preview = await links.resolve(ctx.stores, token, ctx.device.ip)
    except RateLimited as exc:
        if isinstance(ctx.response, Response):
            ctx.response.headers["retry-after"] = str(exc.extensions["retryAfterSeconds"])
        raise
    return shared_content(preview)
