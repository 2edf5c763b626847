"""Vote test helpers: the seed comparison, GraphQL documents, voter tokens and a cast helper.

The fixtures that make apps with vote settings (``vote_client``, ``redis_url``) are in
tests/graphql_api/conftest.py."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from graphql_api.votes.voter import VoterSigner
from verdict.settings import DEV_SECRET_KEY

SEED = "code-llama-4-vs-mistral-code"
LEFT, RIGHT = "code-llama-4", "mistral-code"

CAST = """
mutation Cast($input: CastVoteInput!) {
  castVote(input: $input) {
    __typename
    ... on VoteSuccess {
      myVote tally { comparisonSlug totalVotes sides { toolSlug voteCount voteShare } }
    }
    ... on ComparisonNotFound { comparisonSlug message }
    ... on ToolNotInComparison { comparisonSlug toolSlug message }
    ... on VotingClosed { comparisonSlug message }
    ... on RateLimited { retryAfterSeconds message }
    ... on IdempotencyKeyReused { idempotencyKey message }
    ... on VoterRequired { message }
  }
}
"""

RETRACT = """
mutation Retract($input: RetractVoteInput!) {
  retractVote(input: $input) {
    __typename
    ... on VoteSuccess { myVote tally { totalVotes sides { toolSlug voteCount voteShare } } }
    ... on ComparisonNotFound { comparisonSlug }
    ... on VotingClosed { comparisonSlug }
    ... on RateLimited { retryAfterSeconds }
    ... on VoterRequired { message }
  }
}
"""

PAGE = """
query Page($slug: String!) {
  comparison(slug: $slug) { myVote sides { tool { slug } voteCount voteShare } }
}
"""


def unique_ip() -> str:
    """A client address of the test's own, so per-IP counters in a shared Redis never collide."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


AppFactory = Callable[..., Awaitable[httpx.AsyncClient]]


async def gql(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    voter: str | None = None,
) -> dict[str, Any]:
    """POST a GraphQL request (as ``voter`` when given, by header) and return ``data``."""
    headers = {"x-verdict-voter": voter} if voter else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def new_voter(http: httpx.AsyncClient) -> str:
    """A voter token, minted by the API the way a mobile app gets one (``POST /voter``)."""
    http.cookies.clear()
    response = await http.post("/voter")
    assert response.status_code == 201, response.text
    token = response.headers["x-verdict-voter"]
    assert response.json()["token"] == token
    http.cookies.clear()
    return token


async def cast(
    http: httpx.AsyncClient, voter: str, tool: str, slug: str = SEED, key: str | None = None
) -> dict[str, Any]:
    variables = {"input": {"comparisonSlug": slug, "toolSlug": tool, "idempotencyKey": key}}
    result: dict[str, Any] = (await gql(http, CAST, variables, voter=voter))["castVote"]
    return result


def tokens(n: int) -> list[str]:
    """``n`` voter tokens signed with the tests' (dev) key, as the API would issue them."""
    signer = VoterSigner.from_secret(DEV_SECRET_KEY)
    return [signer.issue()[1] for _ in range(n)]


def counts(result: dict[str, Any]) -> dict[str, int]:
    return {s["toolSlug"]: s["voteCount"] for s in result["tally"]["sides"]}
