"""The GraphQL schema, assembled from the per-domain query types."""

from __future__ import annotations

import strawberry

from graphql_api.comparisons.queries import ComparisonQueries
from graphql_api.relay.queries import NodeQueries
from graphql_api.reviewers.queries import ReviewerQueries
from graphql_api.sync_status.queries import SyncStatusQueries
from graphql_api.tools.queries import ToolQueries
from graphql_api.votes.mutations import VoteMutations
from graphql_api.votes.subscriptions import VoteSubscriptions


@strawberry.type(description="Read comparisons, tools and reviewers. Only published content.")
class Query(ComparisonQueries, ToolQueries, ReviewerQueries, NodeQueries, SyncStatusQueries):
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
