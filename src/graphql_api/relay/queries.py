"""The Relay `node(id:)` field: refetch any object by its global id."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api.comparisons import assemble
from graphql_api.context import Info
from graphql_api.relay.node import Node, decode_id
from graphql_api.reviewers.types import ReviewerType
from graphql_api.tools.types import ToolType


@strawberry.type
class NodeQueries:
    @strawberry.field(
        description=(
            "Any object by its global id (`Comparison`, `Tool` or `Reviewer`); null when it no "
            "longer exists or is not published. An id this API never issued is an INVALID_ID "
            "error."
        )
    )
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The object's global id.")],
    ) -> Node | None:
        type_name, slug = decode_id(id)
        loaders = info.context.loaders
        if type_name == "Comparison":
            comparison = await loaders.comparison_by_slug.load(slug)
            if comparison is None:
                return None
            # Fragments on Comparison select through the node.
            return await assemble.one(info, comparison, assemble.LOOKAHEAD.of_field(info))
        if type_name == "Tool":
            tool = await loaders.tool_by_slug.load(slug)
            return ToolType.from_row(tool) if tool else None
        reviewer = await loaders.reviewer_by_slug.load(slug)
        return ReviewerType.from_row(reviewer) if reviewer else None
