"""GraphQL types of the sync feed: pages of changes, tombstones, and the typed token errors."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from graphql_api.comparisons import assemble
from graphql_api.comparisons.types import ComparisonType
from graphql_api.context import Info
from graphql_api.reviewers.types import ReviewerType
from graphql_api.rows import ComparisonRow
from graphql_api.tools.types import ToolType
from graphql_api.votes.types import ComparisonTally


@strawberry.enum(name="ContentType", description="The kind of entry a content change is about.")
class ContentKind(Enum):
    COMPARISON = "comparisons"
    TOOL = "tools"
    REVIEWER = "reviewers"


@strawberry.enum(description="Why an entry left the feed.")
class RemovalReason(Enum):
    DELETED = "deleted"
    UNPUBLISHED = "unpublished"


@strawberry.type(description="Why a tombstone was sent: the entry is gone from this feed.")
class Tombstone:
    reason: RemovalReason = strawberry.field(
        description="DELETED in the CMS, or UNPUBLISHED (it may come back as a change)."
    )
    removed_at: datetime = strawberry.field(description="When the sync applied it (UTC).")


async def _comparison(root: ContentChange, info: Info) -> ComparisonType | None:
    if root.comparison_row is None:
        return None
    # The same entry point as Query.comparison: sibling changes' loads batch together.
    return await assemble.one(info, root.comparison_row, assemble.LOOKAHEAD.of_field(info))


@strawberry.type(
    description=(
        "One entry that changed: exactly one of `comparison`, `tool`, `reviewer` is set, or "
        "`removed` is, and the app deletes its copy of `key`."
    )
)
class ContentChange:
    type: ContentKind = strawberry.field(description="What kind of entry changed.")
    key: strawberry.ID = strawberry.field(
        description=(
            "Stable key of the entry in an offline copy: unlike `id`, it survives a slug change. "
            "Opaque."
        )
    )
    slug: str = strawberry.field(description="The entry's slug (its last one, when removed).")
    changed_at: datetime = strawberry.field(description="When the sync applied the change (UTC).")
    removed: Tombstone | None = strawberry.field(
        description="Set when the entry was deleted or unpublished: delete it from the copy."
    )
    comparison: ComparisonType | None = strawberry.field(
        resolver=_comparison,
        description="The comparison as the API serves it now, with its computed figures.",
    )
    tool: ToolType | None = strawberry.field(description="The tool as the API serves it now.")
    reviewer: ReviewerType | None = strawberry.field(
        description="The reviewer as the API serves it now."
    )
    comparison_row: strawberry.Private[ComparisonRow | None]


@strawberry.type(description="One page of content changes, in a stable order.")
class ContentChangesPage:
    changes: list[ContentChange] = strawberry.field(
        description="The changes, in feed order: apply them in this order."
    )
    next_token: str = strawberry.field(
        description=(
            "An opaque, signed sync token: send it as `since` for the next page; store it with "
            "the copy once the page is applied."
        )
    )
    has_more: bool = strawberry.field(
        description="True while more pages are ready now: ask again at once with `nextToken`."
    )


@strawberry.type(description="The token is older than the feed's retention: start again.")
class SyncTokenExpired:
    message: str = strawberry.field(description="What happened, for logs.")
    retention_days: int = strawberry.field(description="How long tombstones are kept.")


@strawberry.type(description="The token was not issued by this feed (or for this token space).")
class SyncTokenInvalid:
    message: str = strawberry.field(description="What is wrong with it, for logs.")


ContentChangesResult = Annotated[
    ContentChangesPage | SyncTokenExpired | SyncTokenInvalid,
    strawberry.union("ContentChangesResult", description="A page, or why there is none."),
]


@strawberry.type(description="One page of vote tallies that changed.")
class TallyChangesPage:
    tallies: list[ComparisonTally] = strawberry.field(
        description="The current tallies of every comparison whose votes changed."
    )
    next_token: str = strawberry.field(
        description="An opaque, signed tally token: send it as `since` for the next page."
    )
    has_more: bool = strawberry.field(description="True while more pages are ready now.")


TallyChangesResult = Annotated[
    TallyChangesPage | SyncTokenInvalid,
    strawberry.union("TallyChangesResult", description="A page of tallies, or why there is none."),
]
