"""GraphQL types for comparisons and their sides."""

from __future__ import annotations

import strawberry

from graphql_api.context import Info
from graphql_api.reviewers.types import ReviewType
from graphql_api.tools.types import ToolType
from verdict.figures import ship_percent
from verdict.models.content import Comparison, Verdict


@strawberry.type(name="ComparisonSide", description="One tool's column on a comparison page.")
class ComparisonSideType:
    tool_id: strawberry.Private[int]

    @strawberry.field(description="The tool on this side.")
    async def tool(self, info: Info) -> ToolType | None:
        tool = await info.context.loaders.tool.load(self.tool_id)
        return ToolType.from_model(tool) if tool is not None else None

    @strawberry.field(description="The panel's published reviews of this side's tool.")
    async def reviews(self, info: Info) -> list[ReviewType]:
        reviews = await info.context.loaders.reviews_by_tool.load(self.tool_id)
        return [ReviewType.from_model(r) for r in reviews]

    @strawberry.field(
        description=(
            "Share of panel reviews with a ship verdict, as a whole percentage rounded half up "
            "(2 of 3 is 67). Null when the panel has not reviewed this tool."
        )
    )
    async def panel_ship_percent(self, info: Info) -> int | None:
        reviews = await info.context.loaders.reviews_by_tool.load(self.tool_id)
        ships = sum(1 for r in reviews if r.verdict == Verdict.SHIP)
        return ship_percent(ships, len(reviews))


@strawberry.type(
    name="Comparison", description="A side-by-side comparison page of two or more tools."
)
class ComparisonType:
    slug: str = strawberry.field(description="URL-safe unique identifier.")
    title: str = strawberry.field(description="Page title, e.g. `Code Llama 4 vs Mistral Code`.")
    db_id: strawberry.Private[int]

    @strawberry.field(description="The sides of the comparison, in display order.")
    async def sides(self, info: Info) -> list[ComparisonSideType]:
        sides = await info.context.loaders.sides_by_comparison.load(self.db_id)
        return [ComparisonSideType(tool_id=s.tool_id) for s in sides]

    @classmethod
    def from_model(cls, comparison: Comparison) -> ComparisonType:
        return cls(db_id=comparison.id, slug=comparison.slug, title=comparison.title)
