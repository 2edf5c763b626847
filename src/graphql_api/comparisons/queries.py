"""Query fields for comparisons."""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from typing import Annotated

import strawberry
from tortoise.expressions import RawSQL, Subquery

from graphql_api.comparisons import assemble
from graphql_api.comparisons.inputs import ComparisonFilter, ComparisonOrder
from graphql_api.comparisons.trending import trending_rows
from graphql_api.comparisons.types import ComparisonType
from graphql_api.context import Info
from graphql_api.reads import visible
from graphql_api.relay.connection import Connection, PageRequest, connection_of
from graphql_api.rows import COMPARISON_FIELDS, ComparisonRow
from verdict.models.content import Comparison, ComparisonSide, Status

# Tallies are keyed by slug (no foreign key, see verdict.models.votes), so the total is a
# correlated subquery rather than a join.
_TOTAL_VOTES = RawSQL(
    '(SELECT COALESCE(SUM("vote_tally"."count"), 0) FROM "vote_tally" '
    'WHERE "vote_tally"."comparison_slug" = "comparison"."slug")'
)
_NEWEST = ("-published_at", "-id")
# What the count of a listing reads: comparisons, and for a tool filter their sides and tools
# (deleting a tool or comparison cascades to sides, and bumps the tool's or comparison's key).
_UNFILTERED = ("comparisons",)
_FILTERED = ("comparisons", "comparison_sides", "tools")


def _count_key(
    statuses: frozenset[Status], filter: ComparisonFilter | None
) -> tuple[Hashable, tuple[str, ...]]:
    """The count cache key of a listing (order and page do not change its count), and the
    content version keys its count depends on."""
    tool_slug = filter.tool_slug if filter is not None else None
    category = filter.category if filter is not None else None
    key = ("comparisons", statuses, tool_slug, category)
    if tool_slug is None and category is None:
        return key, _UNFILTERED
    return key, _FILTERED


@strawberry.type
class ComparisonQueries:
    @strawberry.field(description="A published comparison by slug; null when there is none.")
    async def comparison(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The comparison's slug.")],
    ) -> ComparisonType | None:
        loaders = info.context.loaders
        needs = assemble.LOOKAHEAD.of_field(info)
        pending = loaders.comparison_by_slug.load(slug)
        if needs.tallies:  # keyed by slug: asked now, its query runs beside the comparison's
            loaders.tallies_by_comparison.load(slug)
        row = await pending
        if row is None:
            return None
        return await assemble.one(info, row, needs)

    @strawberry.field(description="Published comparisons, one page at a time.")
    async def comparisons(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(
                description="How many comparisons to return (default 20, max 100)."
            ),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(
                description="Return the comparisons after this cursor (`endCursor`)."
            ),
        ] = None,
        filter: Annotated[
            ComparisonFilter | None,
            strawberry.argument(description="Only comparisons matching all of these conditions."),
        ] = None,
        order_by: Annotated[
            ComparisonOrder,
            strawberry.argument(description="The order of the list; NEWEST by default."),
        ] = ComparisonOrder.NEWEST,
    ) -> Connection[ComparisonType]:
        page = PageRequest.parse(first, after, info.context.settings.max_page_size)
        statuses = info.context.statuses
        info.context.loaders.deps.update(("comparisons", "comparison_sides", "tools"))
        query = Comparison.filter(**visible(statuses))
        if filter is not None:
            sides = ComparisonSide.filter(**visible(statuses, "tool__status"))
            if filter.tool_slug is not None:
                sides = sides.filter(tool__slug=filter.tool_slug)
            if filter.category is not None:
                sides = sides.filter(tool__category=filter.category)
            if filter.tool_slug is not None or filter.category is not None:
                query = query.filter(id__in=Subquery(sides.values("comparison_id")))
        ordered = query
        if order_by is ComparisonOrder.TRENDING:
            info.context.loaders.depend_on_all_votes()  # ordered by votes
            rows = await trending_rows(query, page.offset, page.limit + 1)
        else:
            if order_by is ComparisonOrder.MOST_VOTED:
                info.context.loaders.depend_on_all_votes()  # ordered by tallies
                ordered = query.annotate(total_votes=_TOTAL_VOTES).order_by(
                    "-total_votes", *_NEWEST
                )
            else:
                ordered = query.order_by(*_NEWEST)
            rows = (
                await ordered.offset(page.offset).limit(page.limit + 1).values(*COMPARISON_FIELDS)
            )
        key, depends_on = _count_key(statuses, filter)
        count = partial(info.context.counts.count, key, query, depends_on)
        shown = [ComparisonRow.read(r) for r in rows[: page.limit]]
        nodes = await assemble.comparisons(info, shown, assemble.LOOKAHEAD.of_connection(info))
        return connection_of(nodes, page, count, more=len(rows) > page.limit)
