"""Loaders for share links (PostgreSQL)."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from learnhub.datasources.postgres import share_links
from learnhub.loaders.batching import MAX_BATCH_SIZE, DataLoader, in_key_groups


class ShareLinksByCourseLoader(DataLoader[str, list[RowMapping]]):
    """Key: a course's content id -> its share links, newest first; a page of courses is one query.

    No visibility rule here: the field that asks (`Course.shareLinks`) is guarded by the policy.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        async def load(course_ids: list[str]) -> list[list[RowMapping]]:
            rows = await share_links.links_of_courses(engine, course_ids)
            return in_key_groups(course_ids, rows, itemgetter("course_id"))

        super().__init__(load, max_batch_size=MAX_BATCH_SIZE)
