"""Query fields for comparisons."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import strawberry

from graphql_api.comparisons import assemble, listing
from graphql_api.comparisons.figures import Needs, Read, read_alone
from graphql_api.comparisons.inputs import ComparisonFilter, ComparisonOrder
from graphql_api.comparisons.trending import trending_rows
from graphql_api.comparisons.types import ComparisonType
from graphql_api.context import Info
from graphql_api.relay.connection import Connection, PageRequest, connection_of
from graphql_api.rows import ComparisonRow


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
        loaders = info.context.loaders
        loaders.deps.update(("comparisons", "comparison_sides", "tools"))
        needs = assemble.LOOKAHEAD.of_connection(info)
        if order_by is ComparisonOrder.TRENDING:
            return await _trending(info, page, filter, needs)
        if order_by is ComparisonOrder.MOST_VOTED:
            loaders.depend_on_all_votes()  # ordered by tallies
        shape = listing.Shape.of(
            info.context.statuses,
            filter,
            order_by,
            page.offset,
            page.limit + 1,
            tallies=needs.tallies,
        )
        read = await listing.read_page(loaders, shape)
        count = partial(
            info.context.counts.count_at,
            shape.count_key,
            partial(listing.selected, shape),
            shape.depends_on,
            read.versions,
        )
        nodes = read.assembled.get(needs)
        if nodes is None:
            tallies = read.tallies[: page.limit] if read.tallies is not None else None
            held = Read(read.sides[: page.limit], read.counts, tallies)
            nodes = await assemble.comparisons(info, read.rows[: page.limit], needs, held)
            if read_alone(needs, held):  # built from the page's rows alone: kept with them
                read.keep(needs, nodes)
        return connection_of(nodes, page, count, more=len(read.rows) > page.limit)


async def _trending(
    info: Info, page: PageRequest, filter: ComparisonFilter | None, needs: Needs
) -> Connection[ComparisonType]:
    """The TRENDING order: scored from the recent vote rows (``trending.py``), so read apart
    from the listing's one statement; the count is the listing's own."""
    info.context.loaders.depend_on_all_votes()  # ordered by votes
    shape = listing.Shape.of(info.context.statuses, filter, ComparisonOrder.TRENDING, 0, 0)
    rows = await trending_rows(listing.selected(shape), page.offset, page.limit + 1)
    count = partial(
        info.context.counts.count, shape.count_key, listing.selected(shape), shape.depends_on
    )
    shown = [ComparisonRow.read(r) for r in rows[: page.limit]]
    nodes = await assemble.comparisons(info, shown, needs)
    return connection_of(nodes, page, count, more=len(rows) > page.limit)
