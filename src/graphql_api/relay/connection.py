"""Relay cursor connections: forward pagination with ``first`` and ``after``.

Cursors are opaque offsets into the ordered list. Each page reads one row past its end to know
whether another page follows, and ``totalCount`` runs its count only when a client asks for it.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from graphql_api.errors import ErrorCode, user_error

DEFAULT_PAGE_SIZE = 20
_CURSOR_PREFIX = "offset:"
_MAX_OFFSET_DIGITS = 15
"""An offset past any list this API holds, but far inside a 64-bit integer (OFFSET + LIMIT)."""

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")


@functools.lru_cache(maxsize=4096)  # every listing page encodes the same first offsets
def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode("ascii")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
        if not text.startswith(_CURSOR_PREFIX):
            raise ValueError(text)
        digits = text.removeprefix(_CURSOR_PREFIX)
        # Plain digits, short enough for a 64-bit SQL OFFSET (int() would also take "+1_0 ").
        if not (digits.isdigit() and len(digits) <= _MAX_OFFSET_DIGITS):
            raise ValueError(text)
        offset = int(digits)
    except (binascii.Error, UnicodeError, ValueError):
        raise user_error(
            f"{cursor!r} is not a cursor from this list: pass an `endCursor` or edge `cursor`.",
            ErrorCode.INVALID_CURSOR,
        ) from None
    if offset < 0:
        raise user_error(f"{cursor!r} is not a cursor from this list.", ErrorCode.INVALID_CURSOR)
    return offset


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A validated ``first``/``after`` pair, as an offset and a limit."""

    offset: int
    limit: int

    @classmethod
    def parse(cls, first: int | None, after: str | None, max_page_size: int) -> PageRequest:
        limit = DEFAULT_PAGE_SIZE if first is None else first
        if limit < 0:
            raise user_error("`first` must be zero or more.", ErrorCode.BAD_USER_INPUT)
        if limit > max_page_size:
            raise user_error(
                f"`first` is {limit}, but a page holds at most {max_page_size} items: "
                "ask for fewer and follow `pageInfo.endCursor`.",
                ErrorCode.PAGE_SIZE_EXCEEDED,
                maxPageSize=max_page_size,
            )
        offset = 0 if after is None else decode_cursor(after) + 1
        return cls(offset=offset, limit=min(limit, max_page_size))


@strawberry.type(description="Where the current page sits in the whole list.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="True when more items follow: fetch them with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="True when this page does not start at the beginning of the list."
    )
    start_cursor: str | None = strawberry.field(
        description="Cursor of the first item on this page; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item on this page; pass it as `after` for the next page."
    )


@strawberry.type(description="One item of a page, with the cursor that points at it.")
class Edge(Generic[NodeT]):
    node: NodeT = strawberry.field(description="The item.")
    cursor: str = strawberry.field(
        description="Opaque cursor: pass it as `after` to continue right after this item."
    )


@strawberry.type(
    description=(
        "One page of a list, Relay style. Ask for `first` items (20 by default, 100 at most "
        "unless the server sets another limit) and continue with `after: pageInfo.endCursor`."
    )
)
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The items on this page, in order.")
    nodes: list[NodeT] = strawberry.field(
        description="The same items as `edges`, without cursors, for clients that need no cursor."
    )
    page_info: PageInfo = strawberry.field(description="How to reach the next page.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list holds, across all pages.")
    async def total_count(self) -> int:
        return await self.count()


def build_connection(
    rows: Sequence[RowT],
    page: PageRequest,
    to_node: Callable[[RowT], NodeT],
    count: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    """A connection from the rows read at ``page.offset`` with ``limit + 1`` as the limit."""
    nodes = [to_node(row) for row in rows[: page.limit]]
    return connection_of(nodes, page, count, more=len(rows) > page.limit)


def connection_of(
    nodes: list[NodeT], page: PageRequest, count: Callable[[], Awaitable[int]], *, more: bool
) -> Connection[NodeT]:
    """A connection of the nodes shown at ``page.offset``; ``more`` when others follow."""
    edges = [
        Edge(node=node, cursor=encode_cursor(page.offset + index))
        for index, node in enumerate(nodes)
    ]
    return Connection(
        edges=edges,
        nodes=nodes,
        page_info=PageInfo(
            has_next_page=more,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )
