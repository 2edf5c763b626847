"""GraphQL types for comparisons and their sides."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from graphql_api.comparisons import share_fields
from graphql_api.comparisons.figures import (
    Loaded,
    Needs,
    load,
)
from graphql_api.comparisons.verdicts import (
    PanelOutcome,
    PanelVerdict,
    ReviewerSideTake,
    ReviewerSplitRow,
)
from graphql_api.context import Info
from graphql_api.relay.node import Node, encode_id
from graphql_api.reviewers.types import ReviewerType, ReviewType, verdict_of
from graphql_api.rows import NO_REVIEWS, ComparisonRow, ReviewRow
from graphql_api.tools.types import SHIP_PERCENT_DESCRIPTION, ToolType
from graphql_api.votes import fields as votes
from verdict.figures import panel_verdict, reviewer_split, ship_percent, vote_share


@strawberry.type(name="ComparisonSide", description="One tool's column on a comparison page.")
class ComparisonSideType:
    """Built with every figure the operation selects already computed (see ``figures``)."""

    position: int = strawberry.field(
        description="Display position as editors set it; sides come sorted by it."
    )
    tool: ToolType = strawberry.field(description="The tool on this side.")
    pricing_entry: str = strawberry.field(
        description="The tool's entry price as editors wrote it, e.g. `Free` or `$20/mo`."
    )
    reviews: list[ReviewType] = strawberry.field(
        description="The panel's published reviews of this side's tool."
    )
    panel_ship_count: int = strawberry.field(
        description="How many panel reviews of this side's tool say ship."
    )
    panel_skip_count: int = strawberry.field(
        description="How many panel reviews of this side's tool say skip."
    )
    panel_ship_percent: int | None = strawberry.field(description=SHIP_PERCENT_DESCRIPTION)
    vote_count: int = strawberry.field(
        description="Community votes for this side. 0 when nobody voted for it."
    )
    vote_share: int | None = strawberry.field(
        description=(
            "This side's share of the comparison's community votes, as a whole percentage "
            "rounded half up (1 of 3 is 33). Null when the comparison has no votes yet (show a "
            "dash). Shares are rounded one by one, so three sides may add up to 99 or 101."
        )
    )


def _build_sides(
    loaded: Loaded, reviewers: dict[int, ReviewerType], total_votes: int
) -> list[ComparisonSideType]:
    """The sides with their figures; figures whose loader was not needed stay empty (they are
    not selected)."""
    return [
        _build_side(loaded, index, reviewers, total_votes) for index in range(len(loaded.sides))
    ]


def _build_side(
    loaded: Loaded, index: int, reviewers: dict[int, ReviewerType], total_votes: int
) -> ComparisonSideType:
    """One side; ``reviewers`` holds the reviewer types built so far (one per reviewer)."""
    side = loaded.sides[index]
    reviews = loaded.reviews[index] if loaded.reviews is not None else []
    counts = loaded.counts[index] if loaded.counts is not None else NO_REVIEWS
    votes_for = (loaded.tallies or {}).get(side.tool.slug, 0)
    return ComparisonSideType(
        position=side.position,
        tool=ToolType.from_row(side.tool),
        pricing_entry=side.tool.pricing_entry,
        reviews=[ReviewType.from_row(r, _reviewer(reviewers, r)) for r in reviews],
        panel_ship_count=counts.ship,
        panel_skip_count=counts.skip,
        panel_ship_percent=ship_percent(counts.ship, counts.total),
        vote_count=votes_for,
        vote_share=vote_share(votes_for, total_votes),
    )


def _reviewer(built: dict[int, ReviewerType], review: ReviewRow) -> ReviewerType:
    reviewer = built.get(review.reviewer.id)
    if reviewer is None:
        reviewer = built[review.reviewer.id] = ReviewerType.from_row(review.reviewer)
    return reviewer


async def _my_vote(root: ComparisonType, info: Info) -> str | None:
    return await votes.my_vote(info, root.db_id, root.slug)


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

    # Filled by ``prepared`` (every resolver that returns comparisons calls it), with what the
    # operation selects: plain fields, so the executor reads them without a resolver call.
    sides: list[ComparisonSideType] = strawberry.field(
        default_factory=list, description="The sides of the comparison, in display order."
    )
    vote_count: int = strawberry.field(
        default=0, description="Community votes cast on this comparison, over all its sides."
    )

    my_vote: str | None = strawberry.field(
        resolver=_my_vote,
        description=(
            "The current voter's pick on this comparison (a tool slug), or null when they have "
            "not voted or their side is no longer shown."
        ),
    )
    panel_verdict: PanelVerdict | None = strawberry.field(
        default=None,
        description=(
            "Which side the panel favours, or a tie, with the margin. Null when fewer than two "
            "sides have panel reviews."
        ),
    )
    reviewer_split: list[ReviewerSplitRow] = strawberry.field(
        default_factory=list,
        description=(
            "The reviewer split: for each panel reviewer who reviewed any side's tool (in panel "
            "order: lens, then name), their verdict and quote on each side."
        ),
    )

    structured_data: JSON | None = strawberry.field(
        resolver=share_fields.structured_data,
        description=share_fields.STRUCTURED_DATA_DESCRIPTION,
    )
    share_image: str | None = strawberry.field(
        resolver=share_fields.share_image, description=share_fields.SHARE_IMAGE_DESCRIPTION
    )

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


async def prepared(
    info: Info, comparisons: list[ComparisonType], needs: Needs
) -> list[ComparisonType]:
    """``comparisons`` with the figures the operation selects filled in (one batch per loader
    for all of them); what is not selected keeps its empty default."""
    if needs.sides and comparisons:
        loaded = await load(info.context.loaders, [(c.db_id, c.slug) for c in comparisons], needs)
        for comparison, figures in zip(comparisons, loaded, strict=True):
            _fill(comparison, figures, needs.fields)
    return comparisons


def _fill(comparison: ComparisonType, loaded: Loaded, selected: frozenset[str]) -> None:
    # One type per reviewer and one per side, shared by every figure that shows them.
    reviewers: dict[int, ReviewerType] = {}
    total = _total_votes(loaded)
    sides = None
    if "sides" in selected:
        sides = comparison.sides = _build_sides(loaded, reviewers, total)
    if "voteCount" in selected and loaded.tallies is not None:
        comparison.vote_count = total
    if loaded.counts is not None and "panelVerdict" in selected:
        comparison.panel_verdict = _panel_verdict(loaded, sides, reviewers, total)
    if loaded.reviews is not None and "reviewerSplit" in selected:
        comparison.reviewer_split = _reviewer_split(loaded, sides, reviewers)


def _total_votes(loaded: Loaded) -> int:
    tallies = loaded.tallies or {}
    return sum(tallies.get(s.tool.slug, 0) for s in loaded.sides)


def _panel_verdict(
    loaded: Loaded,
    sides: list[ComparisonSideType] | None,
    reviewers: dict[int, ReviewerType],
    total_votes: int,
) -> PanelVerdict | None:
    """``sides``: the sides already built for this comparison, if any (the favoured one is
    shared, not rebuilt)."""
    percents = [ship_percent(c.ship, c.total) for c in loaded.counts or []]
    figure = panel_verdict(percents)
    if figure is None:
        return None
    favoured = None
    if figure.favoured is not None:
        favoured = (
            sides[figure.favoured]
            if sides is not None
            else _build_side(loaded, figure.favoured, reviewers, total_votes)
        )
    return PanelVerdict(
        outcome=PanelOutcome.TIE if favoured is None else PanelOutcome.FAVOURS_SIDE,
        favoured_side=favoured,
        margin=figure.margin,
    )


def _reviewer_split(
    loaded: Loaded, sides: list[ComparisonSideType] | None, reviewers: dict[int, ReviewerType]
) -> list[ReviewerSplitRow]:
    rows = reviewer_split(loaded.reviews or [], lambda review: review.reviewer.panel_order)
    tools = (
        [side.tool for side in sides]
        if sides is not None
        else [ToolType.from_row(s.tool) for s in loaded.sides]
    )
    positions = [side.position for side in loaded.sides]
    result = []
    for row in rows:
        first = next(r for r in row if r is not None)
        takes = [
            ReviewerSideTake(
                position=position,
                tool=tool,
                verdict=verdict_of(review.verdict) if review is not None else None,
                quote=review.quote if review is not None else None,
            )
            for position, tool, review in zip(positions, tools, row, strict=True)
        ]
        result.append(ReviewerSplitRow(reviewer=_reviewer(reviewers, first), sides=takes))
    return result
