"""Live tallies over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from graphql_api.context import Info
from graphql_api.votes.service import current_tallies
from graphql_api.votes.types import ComparisonTally, VoteTallyEvent, not_found


@strawberry.type
class VoteSubscriptions:
    @strawberry.subscription(
        description=(
            "The comparison's vote tallies now, then again after every change. Ends with "
            "ComparisonNotFound if the comparison is (or becomes) unpublished."
        )
    )
    async def vote_tally(
        self,
        info: Info,
        comparison_slug: Annotated[str, strawberry.argument(description="The comparison.")],
    ) -> AsyncGenerator[VoteTallyEvent, None]:
        # Subscribe before reading, so a change between the two is not missed.
        async with info.context.voting.feed.subscribe(comparison_slug) as mailbox:
            tallies = await current_tallies(comparison_slug)
            while tallies is not None:
                yield ComparisonTally.from_tallies(tallies)
                tallies = await mailbox.next()
            yield not_found(comparison_slug)
