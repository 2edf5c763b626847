"""GraphQL types for comparisons and their sides: declarations only.

A ``ComparisonType`` is built by ``graphql_api.comparisons.assemble`` and nowhere else: its
figure fields are plain fields (the executor reads them without a resolver call), so a
comparison that skipped the assembler would answer ``sides: []`` and ``voteCount: 0`` without an
error. The type therefore refuses to be constructed without the assembler's proof
(``Assembled``), which only ``assemble`` holds.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, final

import strawberry
from strawberry.scalars import JSON

from graphql_api.comparisons import share_fields
from graphql_api.comparisons.verdicts import PanelVerdict, ReviewerSplitRow
from graphql_api.context import Info
from graphql_api.relay.node import Node
from graphql_api.reviewers.types import ReviewType
from graphql_api.tools.types import SHIP_PERCENT_DESCRIPTION, ToolType
from graphql_api.votes import fields as votes
from verdict import limits


@final
class Assembled:
    """The assembler's proof: its one instance is made by ``graphql_api.comparisons.assemble``
    when that module loads, and any later attempt to make another raises."""

    __slots__ = ()
    _made: ClassVar[bool] = False

    def __new__(cls) -> Assembled:
        if cls._made:
            raise TypeError("comparisons are built by graphql_api.comparisons.assemble only")
        cls._made = True
        return super().__new__(cls)


class UnassembledComparisonError(TypeError):
    """A ``ComparisonType`` was constructed outside ``graphql_api.comparisons.assemble``."""


@strawberry.type(name="ComparisonSide", description="One tool's column on a comparison page.")
class ComparisonSideType:
    """Built by ``graphql_api.comparisons.assemble`` with every selected figure computed."""

    position: int = strawberry.field(
        description="Display position as editors set it; sides come sorted by it."
    )
    tool: ToolType = strawberry.field(description="The tool on this side.")
    pricing_entry: str = strawberry.field(
        description="The tool's entry price as editors wrote it, e.g. `Free` or `$20/mo`."
    )
    reviews: list[ReviewType] = strawberry.field(
        description="The panel's published reviews of this side's tool (at most "
        f"{limits.MAX_TOOL_REVIEWS}: the CMS holds no more per tool)."
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
    db_id: strawberry.Private[str]
    assembled: strawberry.Private[Assembled]
    """The assembler's proof (see the module docstring)."""

    # The figures (``assemble.COMPARISON_FIGURES``): computed by the assembler when selected.
    sides: list[ComparisonSideType] = strawberry.field(
        description="The sides of the comparison, in display order (at most "
        f"{limits.MAX_COMPARISON_SIDES}: the CMS holds no more per comparison)."
    )
    vote_count: int = strawberry.field(
        description="Community votes cast on this comparison, over all its sides."
    )

    my_vote: str | None = strawberry.field(
        resolver=_my_vote,
        description=(
            "The current voter's pick on this comparison (a tool slug), or null when they have "
            "not voted or their side is no longer shown."
        ),
    )
    panel_verdict: PanelVerdict | None = strawberry.field(
        description=(
            "Which side the panel favours, or a tie, with the margin. Null when fewer than two "
            "sides have panel reviews."
        ),
    )
    reviewer_split: list[ReviewerSplitRow] = strawberry.field(
        description=(
            "The reviewer split: for each panel reviewer who reviewed any side's tool (in panel "
            "order: lens, then name), their verdict and quote on each side. At most "
            f"{limits.MAX_REVIEWER_SPLIT} rows: one per review of a side's tool at most."
        ),
    )

    structured_data: JSON | None = strawberry.field(
        resolver=share_fields.structured_data,
        description=share_fields.STRUCTURED_DATA_DESCRIPTION,
    )
    share_image: str | None = strawberry.field(
        resolver=share_fields.share_image, description=share_fields.SHARE_IMAGE_DESCRIPTION
    )

    def __post_init__(self) -> None:
        if not isinstance(self.assembled, Assembled):
            raise UnassembledComparisonError(
                "a Comparison must come from graphql_api.comparisons.assemble"
            )
