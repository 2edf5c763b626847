"""The vote mutations."""

from __future__ import annotations

import strawberry

from graphql_api.context import Info
from graphql_api.votes.service import VoteRequest
from graphql_api.votes.types import (
    CastVoteInput,
    CastVoteResult,
    RetractVoteInput,
    RetractVoteResult,
    ToolNotInComparison,
    VoterRequired,
    to_result,
)
from graphql_api.votes.voter import VOTER_SCOPE_KEY, Voter


def _request(info: Info, idempotency_key: str | None) -> VoteRequest | None:
    """The vote request of the current voter; None when the request presents no voter."""
    voter = info.context.request.scope.get(VOTER_SCOPE_KEY)
    if not isinstance(voter, Voter):
        return None
    return VoteRequest(
        voter.id,
        info.context.client_ip,
        idempotency_key,
        voter_kind=voter.kind.value,
        voter_minted_at=voter.minted_at,
    )


def _voter_required() -> VoterRequired:
    return VoterRequired(
        message="Votes need a voter: POST /voter once (or sign in), then vote again."
    )


@strawberry.type
class VoteMutations:
    @strawberry.mutation(
        description=(
            "Vote for one side of a comparison as the current voter. Voting for another side "
            "moves the vote."
        )
    )
    async def cast_vote(self, info: Info, input: CastVoteInput) -> CastVoteResult:
        request = _request(info, input.idempotency_key)
        if request is None:
            return _voter_required()
        outcome = await info.context.voting.service.cast(
            request, input.comparison_slug, input.tool_slug
        )
        return to_result(outcome)

    @strawberry.mutation(description="Withdraw the current voter's vote on a comparison.")
    async def retract_vote(self, info: Info, input: RetractVoteInput) -> RetractVoteResult:
        request = _request(info, input.idempotency_key)
        if request is None:
            return _voter_required()
        outcome = await info.context.voting.service.retract(request, input.comparison_slug)
        result = to_result(outcome)
        if isinstance(result, ToolNotInComparison):  # a retraction names no tool
            raise AssertionError("retract_vote cannot yield ToolNotInComparison")
        return result
