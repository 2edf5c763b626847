"""GraphQL types for comparisons and their sides."""

from __future__ import annotations

from datetime import datetime

import strawberry

from graphql_api.comparisons.verdicts import (
    PanelOutcome,
    PanelVerdict,
    ReviewerSideTake,
    ReviewerSplitRow,
)
from graphql_api.context import Info
from graphql_api.relay.node import Node, encode_id
from graphql_api.reviewers.types import ReviewerType, ReviewType, Verdict
from graphql_api.rows import ComparisonRow, ReviewRow, SideRow
from graphql_api.tools.types import SHIP_PERCENT_DESCRIPTION, ToolType
from graphql_api.votes import fields as votes
from verdict.figures import panel_counts, panel_verdict, reviewer_split, ship_percent, vote_share


@strawberry.type(name="ComparisonSide", description="One tool's column on a comparison page.")
class ComparisonSideType:
    position: int = strawberry.field(
        description="Display position as editors set it; sides come sorted by it."
    )
    tool: ToolType = strawberry.field(description="The tool on this side.")
    pricing_entry: str = strawberry.field(
        description="The tool's entry price as editors wrote it, e.g. `Free` or `$20/mo`."
    )
    comparison_slug: strawberry.Private[str]
    tool_id: strawberry.Private[int]
    tool_slug: strawberry.Private[str]
    side_tool_slugs: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="The panel's published reviews of this side's tool.")
    async def reviews(self, info: Info) -> list[ReviewType]:
        reviews = await info.context.loaders.reviews_by_tool.load(self.tool_id)
        return [ReviewType.from_row(r) for r in reviews]

    @strawberry.field(description="How many panel reviews of this side's tool say ship.")
    async def panel_ship_count(self, info: Info) -> int:
        reviews = await info.context.loaders.reviews_by_tool.load(self.tool_id)
        return _ships(reviews)

    @strawberry.field(description="How many panel reviews of this side's tool say skip.")
    async def panel_skip_count(self, info: Info) -> int:
        reviews = await info.context.loaders.reviews_by_tool.load(self.tool_id)
        return len(reviews) - _ships(reviews)

    @strawberry.field(description=SHIP_PERCENT_DESCRIPTION)
    async def panel_ship_percent(self, info: Info) -> int | None:
        reviews = await info.context.loaders.reviews_by_tool.load(self.tool_id)
        return ship_percent(_ships(reviews), len(reviews))

    @strawberry.field(description="Community votes for this side. 0 when nobody voted for it.")
    async def vote_count(self, info: Info) -> int:
        tallies = await info.context.loaders.tallies_by_comparison.load(self.comparison_slug)
        return tallies.get(self.tool_slug, 0)

    @strawberry.field(
        description=(
            "This side's share of the comparison's community votes, as a whole percentage "
            "rounded half up (1 of 3 is 33). Null when the comparison has no votes yet (show a "
            "dash). Shares are rounded one by one, so three sides may add up to 99 or 101."
        )
    )
    async def vote_share(self, info: Info) -> int | None:
        tallies = await info.context.loaders.tallies_by_comparison.load(self.comparison_slug)
        total = sum(tallies.get(slug, 0) for slug in self.side_tool_slugs)
        return vote_share(tallies.get(self.tool_slug, 0), total)

    @classmethod
    def from_row(
        cls, side: SideRow, comparison_slug: str, slugs: tuple[str, ...]
    ) -> ComparisonSideType:
        return cls(
            position=side.position,
            tool=ToolType.from_row(side.tool),
            pricing_entry=side.tool.pricing_entry,
            comparison_slug=comparison_slug,
            tool_id=side.tool.id,
            tool_slug=side.tool.slug,
            side_tool_slugs=slugs,
        )


@strawberry.type(
    name="Comparison", description="A side-by-side comparison page of two or more tools."
)
class ComparisonType(Node):
    slug: str = strawberry.field(description="URL-safe unique identifier.")
    title: str = strawberry.field(description="Page title, e.g. `Code Llama 4 vs Mistral Code`.")
    headline: str = strawberry.field(
        description="The question the page answers, e.g. `Which one should you ship with?`."
    )
    summary: str | None = strawberry.field(
        description="The editors' summary of the result (plain text); null when none."
    )
    pricing_read: str | None = strawberry.field(
        description="The editors' read on how the tools' pricing compares; null when none."
    )
    voting_open: bool = strawberry.field(
        description="True while the community may vote on this comparison."
    )
    published_at: datetime | None = strawberry.field(
        description="When the comparison was published (ISO 8601, UTC); null when not set."
    )
    updated_at: datetime = strawberry.field(
        description="When editors last changed the comparison (ISO 8601, UTC)."
    )
    db_id: strawberry.Private[int]

    @strawberry.field(description="The sides of the comparison, in display order.")
    async def sides(self, info: Info) -> list[ComparisonSideType]:
        sides = await info.context.loaders.sides_by_comparison.load(self.db_id)
        slugs = tuple(s.tool.slug for s in sides)
        return [ComparisonSideType.from_row(s, self.slug, slugs) for s in sides]

    @strawberry.field(description="Community votes cast on this comparison, over all its sides.")
    async def vote_count(self, info: Info) -> int:
        sides = await info.context.loaders.sides_by_comparison.load(self.db_id)
        tallies = await info.context.loaders.tallies_by_comparison.load(self.slug)
        return sum(tallies.get(s.tool.slug, 0) for s in sides)

    @strawberry.field(
        description=(
            "The current voter's pick on this comparison (a tool slug), or null when they have "
            "not voted or their side is no longer shown."
        )
    )
    async def my_vote(self, info: Info) -> str | None:
        return await votes.my_vote(info, self.db_id, self.slug)

    @strawberry.field(
        description=(
            "Which side the panel favours, or a tie, with the margin. Null when fewer than two "
            "sides have panel reviews."
        )
    )
    async def panel_verdict(self, info: Info) -> PanelVerdict | None:
        sides, reviews = await self._sides_and_reviews(info)
        percents = [ship_percent(_ships(r), len(r)) for r in reviews]
        figure = panel_verdict(percents)
        if figure is None:
            return None
        slugs = tuple(s.tool.slug for s in sides)
        favoured = (
            ComparisonSideType.from_row(sides[figure.favoured], self.slug, slugs)
            if figure.favoured is not None
            else None
        )
        return PanelVerdict(
            outcome=PanelOutcome.TIE if favoured is None else PanelOutcome.FAVOURS_SIDE,
            favoured_side=favoured,
            margin=figure.margin,
        )

    @strawberry.field(
        description=(
            "The reviewer split: for each panel reviewer who reviewed any side's tool (in panel "
            "order: lens, then name), their verdict and quote on each side."
        )
    )
    async def reviewer_split(self, info: Info) -> list[ReviewerSplitRow]:
        sides, reviews = await self._sides_and_reviews(info)
        rows = reviewer_split(reviews, lambda review: review.reviewer.panel_order)
        tools = [ToolType.from_row(s.tool) for s in sides]
        result = []
        for row in rows:
            reviewer = next(r.reviewer for r in row if r is not None)
            takes = [
                ReviewerSideTake(
                    position=side.position,
                    tool=tool,
                    verdict=Verdict(review.verdict) if review is not None else None,
                    quote=review.quote if review is not None else None,
                )
                for side, tool, review in zip(sides, tools, row, strict=True)
            ]
            result.append(ReviewerSplitRow(reviewer=ReviewerType.from_row(reviewer), sides=takes))
        return result

    async def _sides_and_reviews(self, info: Info) -> tuple[list[SideRow], list[list[ReviewRow]]]:
        sides = await info.context.loaders.sides_by_comparison.load(self.db_id)
        reviews = await info.context.loaders.reviews_by_tool.load_many([s.tool.id for s in sides])
        return sides, list(reviews)

    @classmethod
    def from_row(cls, row: ComparisonRow) -> ComparisonType:
        return cls(
            id=encode_id("Comparison", row.slug),
            db_id=row.id,
            slug=row.slug,
            title=row.title,
            headline=row.headline,
            summary=row.summary,
            pricing_read=row.pricing_read,
            voting_open=row.voting_open,
            published_at=row.published_at,
            updated_at=row.cms_updated_at,
        )


def _ships(reviews: list[ReviewRow]) -> int:
    return panel_counts(r.verdict for r in reviews)[0]
