"""Query fields for the sync worker's status."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api.context import Info
from graphql_api.errors import ErrorCode, user_error
from graphql_api.sync_status.types import SyncIssueType
from verdict.models.sync import QuarantinedEntry

MAX_ISSUES = 500


@strawberry.type
class SyncStatusQueries:
    @strawberry.field(
        description="CMS entries the sync could not apply (quarantined), most recently seen "
        f"first; at most {MAX_ISSUES}. For editors: needs a preview token "
        "(PREVIEW_TOKEN_REQUIRED without one)."
    )
    async def sync_issues(
        self,
        info: Info,
        collection: Annotated[
            str | None, strawberry.argument(description="Only this CMS collection.")
        ] = None,
        first: Annotated[
            int, strawberry.argument(description=f"How many to return (0 to {MAX_ISSUES}).")
        ] = 100,
    ) -> list[SyncIssueType]:
        info.context.loaders.live = True  # not content: never cached
        if not info.context.preview:  # CMS error texts and slugs are for editors only
            raise user_error(
                "syncIssues is for editors: send a preview token (X-Verdict-Preview).",
                ErrorCode.PREVIEW_TOKEN_REQUIRED,
            )
        query = QuarantinedEntry.all()
        if collection is not None:
            query = query.filter(collection=collection)
        limit = min(max(first, 0), MAX_ISSUES)
        if limit == 0:
            return []
        rows = await query.order_by("-last_seen_at", "collection", "cms_id").limit(limit)
        return [SyncIssueType.from_model(row) for row in rows]
