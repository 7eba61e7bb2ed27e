"""Relay global object identification: `Node` and opaque global ids."""

from __future__ import annotations

import base64
import binascii
import uuid

import strawberry

from learnhub.core.errors import BadUserInput


@strawberry.interface(description="An object with a globally unique id, refetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Globally unique, opaque id.")


def to_global_id(type_name: str, local_id: str | uuid.UUID) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode().rstrip("="))


def from_global_id(global_id: str) -> tuple[str, str]:
    """(type name, local id); BAD_USER_INPUT when the value is not a global id."""
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadUserInput("Not a valid id", argument="id") from exc
    type_name, sep, local_id = raw.partition(":")
    if not sep or not type_name.isidentifier() or not local_id:
        raise BadUserInput("Not a valid id", argument="id")
    return type_name, local_id


def expect_uuid(global_id: str, type_name: str) -> uuid.UUID:
    """The row id inside a global id of `type_name`."""
    kind, local_id = from_global_id(global_id)
    if kind != type_name:
        raise BadUserInput(f"Expected an id of a {type_name}, got one of a {kind}", argument="id")
    try:
        return uuid.UUID(local_id)
    except ValueError as exc:
        raise BadUserInput("Not a valid id", argument="id") from exc


def expect_content_id(value: str, type_name: str, prefix: str) -> str:
    """A content id (`lesson:rest-intro`) given either as is or wrapped in a global id."""
    if value.startswith(f"{prefix}:"):
        return value
    kind, local_id = from_global_id(value)
    if kind != type_name or not local_id.startswith(f"{prefix}:"):
        raise BadUserInput(f"Expected the id of a {type_name} or a `{prefix}:` content id", argument="id")
    return local_id
