"""Query fields for tools."""

from __future__ import annotations

from typing import Annotated

import strawberry
from tortoise.expressions import Q

from graphql_api.context import Info
from graphql_api.reads import visible
from graphql_api.relay.connection import Connection, PageRequest, build_connection
from graphql_api.rows import TOOL_FIELDS, ToolRow
from graphql_api.tools.inputs import ToolFilter, ToolOrder
from graphql_api.tools.types import ToolType
from verdict.models.content import Tool

_ORDERINGS = {
    ToolOrder.NAME: ("name", "id"),
    ToolOrder.RECENTLY_UPDATED: ("-cms_updated_at", "-id"),
}


@strawberry.type
class ToolQueries:
    @strawberry.field(description="A published tool by slug; null when there is none.")
    async def tool(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="The tool's slug.")],
    ) -> ToolType | None:
        row = await info.context.loaders.tool_by_slug.load(slug)
        return ToolType.from_row(row) if row is not None else None

    @strawberry.field(description="Published tools, one page at a time.")
    async def tools(
        self,
        info: Info,
        first: Annotated[
            int | None,
            strawberry.argument(description="How many tools to return (default 20, max 100)."),
        ] = None,
        after: Annotated[
            str | None,
            strawberry.argument(description="Return the tools after this cursor (`endCursor`)."),
        ] = None,
        filter: Annotated[
            ToolFilter | None,
            strawberry.argument(description="Only tools matching all of these conditions."),
        ] = None,
        order_by: Annotated[
            ToolOrder, strawberry.argument(description="The order of the list; NAME by default.")
        ] = ToolOrder.NAME,
    ) -> Connection[ToolType]:
        page = PageRequest.parse(first, after, info.context.settings.max_page_size)
        info.context.loaders.deps.add("tools")
        query = Tool.filter(**visible(info.context.statuses))
        if filter is not None:
            if filter.category is not None:
                query = query.filter(category=filter.category)
            if filter.vendor is not None:
                query = query.filter(vendor=filter.vendor)
            if filter.open_weights is not None:
                query = query.filter(open_weights=filter.open_weights)
            if (text := filter.search_text()) is not None:
                query = query.filter(Q(name__icontains=text) | Q(tagline__icontains=text))
        rows = await (
            query.order_by(*_ORDERINGS[order_by])
            .offset(page.offset)
            .limit(page.limit + 1)
            .values(*TOOL_FIELDS)
        )
        tools = [ToolRow.read(r) for r in rows]
        for tool in tools:
            info.context.loaders.tool_by_id.prime(tool.id, tool)
        return build_connection(tools, page, ToolType.from_row, query.count)
