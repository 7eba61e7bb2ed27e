"""The viewer and the lists that belong to a user."""

from __future__ import annotations

from learnhub.graphql.context import Info
from learnhub.graphql.types.users import User


async def me(info: Info) -> User | None:
    ctx = info.context
    if ctx.viewer.user_id is None:
        if ctx.viewer.token_error:
            ctx.require_user()  # raises UNAUTHENTICATED with the reason
        return None
    row = await ctx.loaders.user_by_id.load(ctx.viewer.user_id)
    return User.from_row(row) if row is not None else None
