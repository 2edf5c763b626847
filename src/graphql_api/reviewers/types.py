"""GraphQL types for reviewers and their reviews."""

from __future__ import annotations

from enum import Enum

import strawberry

from graphql_api.context import Info
from verdict.models.content import Lens as LensValue
from verdict.models.content import Review, Reviewer
from verdict.models.content import Verdict as VerdictValue


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


@strawberry.type(name="Reviewer", description="A member of the review panel.")
class ReviewerType:
    slug: str = strawberry.field(description="URL-safe unique identifier.")
    name: str = strawberry.field(description="The reviewer's display name.")
    lens: Lens = strawberry.field(description="The angle this reviewer judges tools from.")

    @classmethod
    def from_model(cls, reviewer: Reviewer) -> ReviewerType:
        return cls(slug=reviewer.slug, name=reviewer.name, lens=Lens(reviewer.lens.value))


@strawberry.type(name="Review", description="One reviewer's take on one tool.")
class ReviewType:
    verdict: Verdict = strawberry.field(description="Ship or skip.")
    quote: str = strawberry.field(description="The reviewer's reasoning, as published.")
    reviewer_id: strawberry.Private[int]

    @strawberry.field(description="Who wrote this review.")
    async def reviewer(self, info: Info) -> ReviewerType | None:
        reviewer = await info.context.loaders.reviewer.load(self.reviewer_id)
        return ReviewerType.from_model(reviewer) if reviewer is not None else None

    @classmethod
    def from_model(cls, review: Review) -> ReviewType:
        return cls(
            verdict=Verdict(review.verdict.value),
            quote=review.quote,
            reviewer_id=review.reviewer_id,
        )
