"""Uploaded documents by what they belong to: one query per list of lessons or users."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres import documents
from learnhub.loaders.postgres import _RowsLoader  # the shared loader base


async def _attachments(engine: AsyncEngine, lesson_ids: Sequence[str]) -> Sequence[RowMapping]:
    return await documents.ready_of_entities(engine, "lesson_attachment", lesson_ids)


async def _avatars(engine: AsyncEngine, user_ids: Sequence[str]) -> Sequence[RowMapping]:
    return await documents.ready_of_entities(engine, "avatar", user_ids)


class AttachmentsByLessonLoader(_RowsLoader[str]):
    """A lesson's ready attachments, oldest first."""

    fetch = staticmethod(_attachments)
    key = ("entity_id",)


class AvatarsByUserLoader(_RowsLoader[str]):
    """A user's ready avatar (the newest, when a replacement is being confirmed)."""

    fetch = staticmethod(_avatars)
    key = ("entity_id",)
