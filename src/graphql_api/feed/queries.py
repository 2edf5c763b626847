"""Query fields of the sync feed: ``contentChanges`` and ``tallyChanges`` (docs/mobile-sync.md)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api.context import Info
from graphql_api.feed.pages import content_changes, tallies_of
from graphql_api.feed.tokens import Space, SyncPoint, TokenError, content_codec, tally_codec
from graphql_api.feed.types import (
    ContentChangesPage,
    ContentChangesResult,
    SyncTokenExpired,
    SyncTokenInvalid,
    TallyChangesPage,
    TallyChangesResult,
)
from graphql_api.relay.connection import PageRequest
from verdict import feed_log
from verdict.feed_log import START, Position
from verdict.models.feed import FeedChange

_SINCE = strawberry.argument(
    description="The `nextToken` of the last page applied; omit it for an initial pass."
)
_FIRST = strawberry.argument(description="How many changes a page holds (default 20, max 100).")


def _space(info: Info) -> Space:
    return Space.PREVIEW if info.context.preview else Space.PUBLIC


@strawberry.type
class FeedQueries:
    @strawberry.field(
        description=(
            "What changed since a token: comparisons, tools and reviewers as full nodes, and "
            "tombstones for what was deleted or unpublished. Without `since`, the current "
            "content. Drafts only with a preview token, in a token space of their own."
        )
    )
    async def content_changes(
        self,
        info: Info,
        since: Annotated[str | None, _SINCE] = None,
        first: Annotated[int | None, _FIRST] = None,
    ) -> ContentChangesResult:
        size = PageRequest.parse(first, None, info.context.settings.max_page_size).limit
        space = _space(info)
        codec = content_codec(info.context.settings.secret_key)
        info.context.loaders.deps.update(("comparisons", "tools", "reviewers"))
        limit = await feed_log.read_limit()
        if since is None:
            point = SyncPoint(space, START, await feed_log.head(FeedChange, limit))
        else:
            try:
                point = codec.read(since, space)
            except TokenError as exc:
                return SyncTokenInvalid(message=str(exc))
            edge = await feed_log.horizon()
            if edge > point.position and edge > point.origin:
                days = info.context.settings.feed_retention_days
                return SyncTokenExpired(
                    message="tombstones this token has not seen were pruned: start again "
                    "without `since` and replace the offline copy",
                    retention_days=days,
                )
        rows = await feed_log.feed_rows(point.position, limit, size + 1)
        page = rows[:size]
        changes = await content_changes(
            page, point.origin, info.context.statuses, info.context.loaders
        )
        last = Position(page[-1].tx, page[-1].seq) if page else point.position
        return ContentChangesPage(
            changes=changes,
            next_token=codec.issue(SyncPoint(space, last, point.origin)),
            has_more=len(rows) > size,
        )

    @strawberry.field(
        description=(
            "Vote tallies that changed since a token, on their own clock: votes change far more "
            "often than content. Without `since`, every tally."
        )
    )
    async def tally_changes(
        self,
        info: Info,
        since: Annotated[str | None, _SINCE] = None,
        first: Annotated[int | None, _FIRST] = None,
    ) -> TallyChangesResult:
        size = PageRequest.parse(first, None, info.context.settings.max_page_size).limit
        space = _space(info)
        codec = tally_codec(info.context.settings.secret_key)
        info.context.loaders.depend_on_all_votes()
        info.context.loaders.deps.add("comparisons")
        point = SyncPoint(space, START, START)
        if since is not None:
            try:
                point = codec.read(since, space)
            except TokenError as exc:
                return SyncTokenInvalid(message=str(exc))
        rows = await feed_log.tally_rows(point.position, await feed_log.read_limit(), size + 1)
        page = rows[:size]
        last = Position(page[-1].tx, page[-1].seq) if page else point.position
        return TallyChangesPage(
            tallies=await tallies_of([r.comparison_slug for r in page], info.context.statuses),
            next_token=codec.issue(SyncPoint(space, last, START)),
            has_more=len(rows) > size,
        )
