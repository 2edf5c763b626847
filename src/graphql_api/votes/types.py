"""GraphQL types of community votes: inputs, tallies, and the typed results of the mutations."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphql_api.votes.outcomes import (
    Closed,
    ComparisonMissing,
    Limited,
    Outcome,
    Tallies,
    ToolMissing,
    Voted,
)
from verdict import limits


@strawberry.input(description="Vote for one side of a comparison.")
class CastVoteInput:
    comparison_slug: str = strawberry.field(description="The comparison voted on.")
    tool_slug: str = strawberry.field(description="The tool (side) voted for.")
    idempotency_key: str | None = strawberry.field(
        default=None,
        description=(
            "Any unique string (a UUID) per intended vote, up to 200 characters. A retry with the "
            "same key returns the first result and counts nothing twice."
        ),
    )


@strawberry.input(description="Withdraw the current voter's vote on a comparison.")
class RetractVoteInput:
    comparison_slug: str = strawberry.field(description="The comparison.")
    idempotency_key: str | None = strawberry.field(
        default=None, description="As for castVote: a retry with the same key changes nothing."
    )


@strawberry.type(description="The community vote count of one side.")
class SideTally:
    tool_slug: str = strawberry.field(description="The side's tool.")
    vote_count: int = strawberry.field(description="Votes for this side.")
    vote_share: int | None = strawberry.field(
        description=(
            "This side's share of the comparison's votes, as a whole percentage rounded half up "
            "(as `ComparisonSide.voteShare`); null while the comparison has no votes."
        )
    )


@strawberry.type(description="Community vote counts of a comparison's sides, in display order.")
class ComparisonTally:
    comparison_slug: str = strawberry.field(description="The comparison.")
    total_votes: int = strawberry.field(description="Votes on all shown sides.")
    sides: list[SideTally] = strawberry.field(
        description=f"One entry per shown side (at most {limits.MAX_COMPARISON_SIDES})."
    )

    @classmethod
    def from_tallies(cls, tallies: Tallies) -> ComparisonTally:
        return cls(
            comparison_slug=tallies.comparison_slug,
            total_votes=tallies.total,
            sides=[
                SideTally(
                    tool_slug=s.tool_slug, vote_count=s.count, vote_share=tallies.share(s.count)
                )
                for s in tallies.sides
            ],
        )


@strawberry.type(description="The vote was recorded; the comparison's tallies after it.")
class VoteSuccess:
    my_vote: str | None = strawberry.field(
        description="The tool slug the voter now votes for; null after a retraction."
    )
    tally: ComparisonTally = strawberry.field(description="The updated tallies.")


@strawberry.type(description="No published comparison has this slug.")
class ComparisonNotFound:
    comparison_slug: str
    message: str


@strawberry.type(description="The tool is not one of the comparison's shown sides.")
class ToolNotInComparison:
    comparison_slug: str
    tool_slug: str
    message: str


@strawberry.type(description="Voting on this comparison is closed by its editors.")
class VotingClosed:
    comparison_slug: str
    message: str


@strawberry.type(description="Too many votes from this voter or address; retry after a while.")
class RateLimited:
    retry_after_seconds: int = strawberry.field(description="Seconds to wait before retrying.")
    message: str


@strawberry.type(description="This idempotency key was already used for a different request.")
class IdempotencyKeyReused:
    idempotency_key: str
    message: str


@strawberry.type(
    description=(
        "The request has no voter. Mint one with `POST /voter` (once per browser or app, see the "
        "community votes docs) or send the site's sign-in token, then vote again."
    )
)
class VoterRequired:
    message: str


CastVoteResult = Annotated[
    VoteSuccess
    | ComparisonNotFound
    | ToolNotInComparison
    | VotingClosed
    | RateLimited
    | IdempotencyKeyReused
    | VoterRequired,
    strawberry.union("CastVoteResult"),
]
RetractVoteResult = Annotated[
    VoteSuccess
    | ComparisonNotFound
    | VotingClosed
    | RateLimited
    | IdempotencyKeyReused
    | VoterRequired,
    strawberry.union("RetractVoteResult"),
]
VoteTallyEvent = Annotated[ComparisonTally | ComparisonNotFound, strawberry.union("VoteTallyEvent")]

AnyResult = (
    VoteSuccess
    | ComparisonNotFound
    | ToolNotInComparison
    | VotingClosed
    | RateLimited
    | IdempotencyKeyReused
)


def not_found(slug: str) -> ComparisonNotFound:
    return ComparisonNotFound(
        comparison_slug=slug, message=f"No published comparison has the slug {slug!r}."
    )


def to_result(outcome: Outcome) -> AnyResult:
    """The GraphQL result for a service outcome."""
    if isinstance(outcome, Voted):
        return VoteSuccess(
            my_vote=outcome.my_vote, tally=ComparisonTally.from_tallies(outcome.tallies)
        )
    if isinstance(outcome, ComparisonMissing):
        return not_found(outcome.comparison_slug)
    if isinstance(outcome, ToolMissing):
        return ToolNotInComparison(
            comparison_slug=outcome.comparison_slug,
            tool_slug=outcome.tool_slug,
            message=f"{outcome.tool_slug!r} is not a side of {outcome.comparison_slug!r}.",
        )
    if isinstance(outcome, Closed):
        return VotingClosed(
            comparison_slug=outcome.comparison_slug, message="Voting on this comparison is closed."
        )
    if isinstance(outcome, Limited):
        return RateLimited(
            retry_after_seconds=outcome.retry_after_seconds,
            message=f"Too many votes; retry in {outcome.retry_after_seconds} s.",
        )
    return IdempotencyKeyReused(
        idempotency_key=outcome.idempotency_key,
        message="This idempotency key was used for a different vote request.",
    )
