"""Admin: list users, change roles, disable accounts. The policy module restricts these to admins."""

from __future__ import annotations

import uuid

import strawberry

from learnhub.auth import sessions
from learnhub.datasources.postgres import users
from learnhub.graphql.context import Info
from learnhub.graphql.relay.connections import Connection, paged
from learnhub.graphql.relay.node import expect_uuid
from learnhub.graphql.types.auth import AccountError, AccountErrorCode, UserAdminPayload
from learnhub.graphql.types.enums import Role
from learnhub.graphql.types.users import User


async def list_users(
    info: Info, first: int | None = None, after: str | None = None, role: Role | None = None
) -> Connection[User]:
    listing = users.user_list(role.value if role is not None else None)
    return await paged(info.context, listing, first, after, User.from_row)


def _refused(code: AccountErrorCode, message: str) -> UserAdminPayload:
    return UserAdminPayload(errors=[AccountError(field="userId", message=message, code=code)])


async def _changed(info: Info, target: uuid.UUID) -> UserAdminPayload:
    row = await info.context.loaders.user_by_id.load(target)
    return UserAdminPayload(user=User.from_row(row) if row is not None else None)


async def set_user_role(info: Info, user_id: strawberry.ID, role: Role) -> UserAdminPayload:
    ctx = info.context
    target = expect_uuid(user_id, "User")
    if target == ctx.viewer.user_id:
        # An admin demoting themself could leave nobody able to manage roles.
        return _refused(AccountErrorCode.CANNOT_CHANGE_SELF, "Admins cannot change their own role")
    # Tokens carry the role: the change ends the user's sessions, in the same transaction.
    if not await sessions.change_role(ctx.stores, target, role.value):
        return _refused(AccountErrorCode.NOT_FOUND, "No such user")
    return await _changed(info, target)


async def set_user_disabled(info: Info, user_id: strawberry.ID, disabled: bool) -> UserAdminPayload:
    ctx = info.context
    target = expect_uuid(user_id, "User")
    if target == ctx.viewer.user_id:
        return _refused(AccountErrorCode.CANNOT_CHANGE_SELF, "Admins cannot disable themselves")
    if disabled:
        found = await sessions.disable_account(ctx.stores, target)
    else:
        found = await users.set_disabled(ctx.stores.engine, target, False)
    if not found:
        return _refused(AccountErrorCode.NOT_FOUND, "No such user")
    return await _changed(info, target)
