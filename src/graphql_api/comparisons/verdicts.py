"""GraphQL types for the panel's verdict and the reviewer split of a comparison."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api.reviewers.types import ReviewerType, Verdict
from graphql_api.tools.types import ToolType
from verdict import limits

if TYPE_CHECKING:
    from graphql_api.comparisons.types import ComparisonSideType

_Side = Annotated["ComparisonSideType", strawberry.lazy("graphql_api.comparisons.types")]


@strawberry.enum(description="The outcome of the panel's verdict on a comparison.")
class PanelOutcome(Enum):
    FAVOURS_SIDE = strawberry.enum_value(
        "favours_side", description="One side has the highest panel ship percentage."
    )
    TIE = strawberry.enum_value(
        "tie", description="The top two sides have the same panel ship percentage."
    )


@strawberry.type(
    description=(
        "Which side the panel favours. Sides are compared by `panelShipPercent` (whole "
        "percentages, rounded half up); sides without panel reviews take no part."
    )
)
class PanelVerdict:
    outcome: PanelOutcome = strawberry.field(description="A favoured side, or a tie.")
    favoured_side: _Side | None = strawberry.field(
        description="The side with the highest panel ship percentage; null on a tie."
    )
    margin: int = strawberry.field(
        description=(
            "The favoured side's lead over the runner-up, in percentage points of "
            "`panelShipPercent` (75 vs 50 is 25). 0 on a tie."
        )
    )


@strawberry.type(description="One reviewer's take on one side of a comparison.")
class ReviewerSideTake:
    position: int = strawberry.field(description="The side's display position, as in `sides`.")
    tool: ToolType = strawberry.field(description="The tool on that side.")
    verdict: Verdict | None = strawberry.field(
        description="The reviewer's verdict on that tool; null when they have not reviewed it."
    )
    quote: str | None = strawberry.field(
        description="The reviewer's quote on that tool; null when they have not reviewed it."
    )


@strawberry.type(description="One panel reviewer's verdicts across all sides of a comparison.")
class ReviewerSplitRow:
    reviewer: ReviewerType = strawberry.field(description="The panel reviewer.")
    sides: list[ReviewerSideTake] = strawberry.field(
        description="One entry per side, in the order of `Comparison.sides` (at most "
        f"{limits.MAX_COMPARISON_SIDES})."
    )
