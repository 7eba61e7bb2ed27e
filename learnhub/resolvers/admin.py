"""Admin: list users, change roles, disable accounts. The policy module restricts these to admins."""

from __future__ import annotations

import uuid

from learnhub.auth import sessions
from learnhub.context import Info
from learnhub.datasources.postgres import users
from learnhub.schema.auth import AccountError, AccountErrorCode, UserAdminPayload
from learnhub.schema.enums import Role
from learnhub.schema.node import expect_uuid
from learnhub.schema.pagination import Connection, connection, page_request
from learnhub.schema.users import User


async def list_users(info: Info, first: int | None, after: str | None, role: Role | None) -> Connection[User]:
    engine = info.context.stores.engine
    request = page_request(info.context.settings, first, after)
    role_name = role.value if role is not None else None
    page = await users.list_users(engine, request, role_name)
    return connection(page, request, User.from_row, lambda: users.count_users(engine, role_name))


def _refused(code: AccountErrorCode, message: str) -> UserAdminPayload:
    return UserAdminPayload(errors=[AccountError(field="userId", message=message, code=code)])


async def _changed(info: Info, target: uuid.UUID, reason: str | None) -> UserAdminPayload:
    """The changed user; with a reason, their sessions end so the change applies at once."""
    if reason is not None:
        await sessions.end_all_sessions(info.context.stores, target, reason)
    row = await info.context.loaders.user_by_id.load(target)
    return UserAdminPayload(user=User.from_row(row) if row is not None else None)


async def set_user_role(info: Info, user_id: str, role: Role) -> UserAdminPayload:
    ctx = info.context
    target = expect_uuid(user_id, "User")
    if target == ctx.viewer.user_id:
        # An admin demoting themself could leave nobody able to manage roles.
        return _refused(AccountErrorCode.CANNOT_CHANGE_SELF, "Admins cannot change their own role")
    if not await users.set_role(ctx.stores.engine, target, role.value):
        return _refused(AccountErrorCode.NOT_FOUND, "No such user")
    # Tokens carry the role.
    return await _changed(info, target, "role_changed")


async def set_user_disabled(info: Info, user_id: str, disabled: bool) -> UserAdminPayload:
    ctx = info.context
    target = expect_uuid(user_id, "User")
    if target == ctx.viewer.user_id:
        return _refused(AccountErrorCode.CANNOT_CHANGE_SELF, "Admins cannot disable themselves")
    if not await users.set_disabled(ctx.stores.engine, target, disabled):
        return _refused(AccountErrorCode.NOT_FOUND, "No such user")
    return await _changed(info, target, "disabled" if disabled else None)
