"""The GraphQL schema, assembled from the per-domain query types."""

from __future__ import annotations

import strawberry

from graphql_api.comparisons.queries import ComparisonQueries
from graphql_api.votes.mutations import VoteMutations
from graphql_api.votes.subscriptions import VoteSubscriptions


@strawberry.type(description="Read comparisons, tools and reviewers.")
class Query(ComparisonQueries):
    pass


@strawberry.type(description="Community votes.")
class Mutation(VoteMutations):
    pass


@strawberry.type(description="Live updates over graphql-transport-ws.")
class Subscription(VoteSubscriptions):
    pass


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)


schema = build_schema()
