"""Query fields for comparisons."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api.comparisons.types import ComparisonType
from verdict.models.content import Comparison, Status


@strawberry.type
class ComparisonQueries:
    @strawberry.field(description="A published comparison by slug; null when there is none.")
    async def comparison(
        self,
        slug: Annotated[str, strawberry.argument(description="The comparison's slug.")],
    ) -> ComparisonType | None:
        row = await Comparison.get_or_none(slug=slug, status=Status.PUBLISHED)
        return ComparisonType.from_model(row) if row is not None else None
