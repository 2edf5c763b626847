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
    to_result,
)


def _request(info: Info, idempotency_key: str | None) -> VoteRequest:
    voter_id = info.context.voter_id
    # The voter middleware gives every HTTP request a voter; only a WebSocket may lack one.
    if voter_id is None:
        raise PermissionError("votes need a voter token: send the verdict_voter cookie or header")
    return VoteRequest(voter_id, info.context.client_ip, idempotency_key)


@strawberry.type
class VoteMutations:
    @strawberry.mutation(
        description=(
            "Vote for one side of a comparison as the current voter. Voting for another side "
            "moves the vote."
        )
    )
    async def cast_vote(self, info: Info, input: CastVoteInput) -> CastVoteResult:
        outcome = await info.context.voting.service.cast(
            _request(info, input.idempotency_key), input.comparison_slug, input.tool_slug
        )
        return to_result(outcome)

    @strawberry.mutation(description="Withdraw the current voter's vote on a comparison.")
    async def retract_vote(self, info: Info, input: RetractVoteInput) -> RetractVoteResult:
        outcome = await info.context.voting.service.retract(
            _request(info, input.idempotency_key), input.comparison_slug
        )
        result = to_result(outcome)
        if isinstance(result, ToolNotInComparison):  # a retraction names no tool
            raise AssertionError("retract_vote cannot yield ToolNotInComparison")
        return result
