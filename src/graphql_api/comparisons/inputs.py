"""Arguments of the `comparisons` listing: its filter and its orders."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.input(description="Narrow the `comparisons` list. Conditions combine with AND.")
class ComparisonFilter:
    tool_slug: str | None = strawberry.field(
        default=None, description="Only comparisons with this tool on one of their sides."
    )
    category: str | None = strawberry.field(
        default=None,
        description="Only comparisons with a tool of this category (as in `Tool.category`).",
    )


@strawberry.enum(description="How to order the `comparisons` list.")
class ComparisonOrder(Enum):
    NEWEST = strawberry.enum_value(
        "newest", description="Most recently published first (the default)."
    )
    MOST_VOTED = strawberry.enum_value(
        "most_voted",
        description="Most community votes first; equal counts fall back to newest first.",
    )
    TRENDING = strawberry.enum_value(
        "trending",
        description=(
            "Vote velocity with time decay: recent votes count most (half-life 12 h, window "
            "7 days); votes in bursts, from voters minted minutes before, or from a network "
            "that floods one comparison weigh less. Ties fall back to newest first."
        ),
    )
