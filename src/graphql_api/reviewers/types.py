"""GraphQL types for reviewers and their reviews."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from graphql_api.context import Info
from graphql_api.relay.node import Node, encode_id
from graphql_api.rows import ReviewerRow, ReviewRow
from verdict import limits
from verdict.models.content import Lens as LensValue
from verdict.models.content import Verdict as VerdictValue

if TYPE_CHECKING:
    from graphql_api.tools.types import ToolType


@strawberry.enum(description="The angle a reviewer judges tools from.")
class Lens(Enum):
    DEVELOPER_EXPERIENCE = strawberry.enum_value(
        LensValue.DEVELOPER_EXPERIENCE.value,
        description="Developer experience: the day-to-day use.",
    )
    COMPETITION = strawberry.enum_value(
        LensValue.COMPETITION.value, description="How it fares against its competitors."
    )
    THESIS = strawberry.enum_value(
        LensValue.THESIS.value, description="The bet the product makes about the future."
    )
    BUSINESS = strawberry.enum_value(
        LensValue.BUSINESS.value, description="Who buys it, and whether the business holds."
    )


@strawberry.enum(description="A reviewer's call on a tool.")
class Verdict(Enum):
    SHIP = strawberry.enum_value(VerdictValue.SHIP.value, description="Worth shipping with.")
    SKIP = strawberry.enum_value(VerdictValue.SKIP.value, description="Not worth it for now.")


# Row values to members by dict lookup (calling an Enum class is several times slower; an
# unknown value still goes through the call, which raises).
_LENSES: dict[str, Lens] = {str(member.value): member for member in Lens}
_VERDICTS: dict[str, Verdict] = {str(member.value): member for member in Verdict}


def verdict_of(value: str) -> Verdict:
    """The member for a row's verdict value."""
    return _VERDICTS.get(value) or Verdict(value)


@strawberry.type(name="Reviewer", description="A member of the review panel.")
class ReviewerType(Node):
    slug: str = strawberry.field(description="URL-safe unique identifier, e.g. `priya-raman`.")
    name: str = strawberry.field(description="The reviewer's display name.")
    lens: Lens = strawberry.field(description="The angle this reviewer judges tools from.")
    bio: str | None = strawberry.field(
        description="A short biography, as editors wrote it (plain text); null when none."
    )
    db_id: strawberry.Private[str]

    @strawberry.field(
        description="This reviewer's published reviews of published tools, newest first (the "
        f"{limits.MAX_REVIEWER_REVIEWS} newest)."
    )
    async def reviews(self, info: Info) -> list[ReviewType]:
        reviews = await info.context.loaders.reviews_by_reviewer.load(self.db_id)
        # A declared bound, so the operation's estimated cost holds (limits.analysis); a listing,
        # no figure counts from it.
        return [ReviewType.from_row(r) for r in reviews[: limits.MAX_REVIEWER_REVIEWS]]

    @classmethod
    def from_row(cls, row: ReviewerRow) -> ReviewerType:
        return cls(
            id=encode_id("Reviewer", row.slug),
            db_id=row.id,
            slug=row.slug,
            name=row.name,
            lens=_LENSES.get(row.lens) or Lens(row.lens),
            bio=row.bio,
        )


@strawberry.type(name="Review", description="One reviewer's take on one tool.")
class ReviewType:
    verdict: Verdict = strawberry.field(description="Ship or skip.")
    quote: str = strawberry.field(description="The reviewer's reasoning, as published.")
    published_at: datetime | None = strawberry.field(
        description="When the review was published (ISO 8601, UTC); null when the CMS has none."
    )
    reviewer: ReviewerType | None = strawberry.field(description="Who wrote this review.")
    """Read in the same query as the review (see ``graphql_api.loaders``): a plain field."""
    tool_id: strawberry.Private[str]

    @strawberry.field(description="The tool this review is about.")
    async def tool(
        self, info: Info
    ) -> Annotated[ToolType, strawberry.lazy("graphql_api.tools.types")] | None:
        from graphql_api.tools.types import ToolType

        tool = await info.context.loaders.tool_by_id.load(self.tool_id)
        return ToolType.from_row(tool) if tool is not None else None

    @classmethod
    def from_row(cls, review: ReviewRow, reviewer: ReviewerType | None = None) -> ReviewType:
        """``reviewer``: the review's reviewer when already built (shared, not rebuilt)."""
        return cls(
            verdict=verdict_of(review.verdict),
            quote=review.quote,
            published_at=review.published_at,
            reviewer=reviewer or ReviewerType.from_row(review.reviewer),
            tool_id=review.tool_id,
        )
