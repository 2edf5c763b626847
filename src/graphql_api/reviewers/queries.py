"""Query fields for reviewers."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api.context import Info
from graphql_api.reads import visible
from graphql_api.relay.connection import Connection, PageRequest, build_connection
from graphql_api.reviewers.types import ReviewerType
from graphql_api.rows import REVIEWER_FIELDS, ReviewerRow
from verdict.models.content import Reviewer


@strawberry.type
class ReviewerQueries:
    @strawberry.field(description="A published reviewer by slug; null when there is none.")
    async def reviewer(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The reviewer's slug.")],
    ) -> ReviewerType | None:
        row = await info.context.loaders.reviewer_by_slug.load(slug)
        return ReviewerType.from_row(row) if row is not None else None

    @strawberry.field(
        description="The published review panel, in panel order: by lens, then by name."
    )
    async def reviewers(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(description="How many reviewers to return (default 20, max 100)."),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="Return the reviewers after this cursor."),
        ] = None,
    ) -> Connection[ReviewerType]:
        page = PageRequest.parse(first, after, info.context.settings.max_page_size)
        # The panel is a handful of people and lens order is not alphabetical: sort here.
        info.context.loaders.deps.add("reviewers")
        rows = await Reviewer.filter(**visible(info.context.statuses)).values(*REVIEWER_FIELDS)
        ordered = sorted((ReviewerRow.read(r) for r in rows), key=lambda r: r.panel_order)
        window = ordered[page.offset : page.offset + page.limit + 1]

        async def count() -> int:
            return len(ordered)

        return build_connection(window, page, ReviewerType.from_row, count)
