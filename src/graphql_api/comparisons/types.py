"""GraphQL types for comparisons and their sides."""

from __future__ import annotations

import strawberry

from graphql_api.context import Info
from graphql_api.reviewers.types import ReviewType
from graphql_api.tools.types import ToolType
from graphql_api.votes import fields as votes
from verdict.figures import ship_percent
from verdict.models.content import Comparison, Verdict


@strawberry.type(name="ComparisonSide", description="One tool's column on a comparison page.")
class ComparisonSideType:
    tool_id: strawberry.Private[int]
    comparison_id: strawberry.Private[int]
    comparison_slug: strawberry.Private[str]

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

    @strawberry.field(description="Community votes for this side.")
    async def vote_count(self, info: Info) -> int:
        return (await self._vote_side(info))[0]

    @strawberry.field(
        description="This side's fraction (0 to 1) of the comparison's votes; null while none."
    )
    async def vote_share(self, info: Info) -> float | None:
        return (await self._vote_side(info))[1]

    async def _vote_side(self, info: Info) -> tuple[int, float | None]:
        tallies = await votes.shown_tallies(info, self.comparison_id, self.comparison_slug)
        tool = await info.context.loaders.tool.load(self.tool_id)
        count = next((s.count for s in tallies.sides if tool and s.tool_slug == tool.slug), 0)
        return count, tallies.share(count)


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
        return [
            ComparisonSideType(
                tool_id=s.tool_id, comparison_id=self.db_id, comparison_slug=self.slug
            )
            for s in sides
        ]

    @strawberry.field(description="The current voter's pick (a tool slug), or null.")
    async def my_vote(self, info: Info) -> str | None:
        return await votes.my_vote(info, self.db_id, self.slug)

    @classmethod
    def from_model(cls, comparison: Comparison) -> ComparisonType:
        return cls(db_id=comparison.id, slug=comparison.slug, title=comparison.title)
