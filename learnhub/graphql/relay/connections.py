"""Relay cursor connections over keyset pages: the stores page on row ids, cursors wrap them here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry
from sqlalchemy.engine import RowMapping

from learnhub.core.errors import BadUserInput
from learnhub.core.settings import Settings
from learnhub.datasources.postgres.pagination import Listing, Page, PageRequest
from learnhub.graphql.context import Context
from learnhub.graphql.relay.cursors import row_after, row_cursor

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of a list; pass `pageInfo.endCursor` as `after` for the next page.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    _count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Items in the whole list (one extra query, only when asked for).")
    async def total_count(self) -> int:
        return await self._count()

    @strawberry.field(description="The edges' nodes, for clients that need no cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def page_request(settings: Settings, first: int | None, after: str | None) -> PageRequest:
    """Validate `first`/`after`: lists are bounded by MAX_PAGE_SIZE (100 by default)."""
    size = settings.default_page_size if first is None else first
    if size < 0 or size > settings.max_page_size:
        raise BadUserInput(
            f"`first` must be between 0 and {settings.max_page_size}", argument="first", max=settings.max_page_size
        )
    return PageRequest(first=size, after=row_after(after) if after else None)


def connection(
    page: Page,
    request: PageRequest,
    to_node: Callable[[RowMapping], T],
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    edges = [Edge(cursor=row_cursor(key), node=to_node(row)) for row, key in zip(page.rows, page.keys, strict=True)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=request.after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        _count=count,
    )


async def paged(
    ctx: Context, listing: Listing, first: int | None, after: str | None, to_node: Callable[[RowMapping], T]
) -> Connection[T]:
    """One page of `listing` as a connection; `totalCount` counts the same list, only when asked."""
    request = page_request(ctx.settings, first, after)
    engine = ctx.stores.engine
    page = await listing.page(engine, request)
    return connection(page, request, to_node, lambda: listing.count(engine))
