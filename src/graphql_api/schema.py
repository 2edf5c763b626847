"""The GraphQL schema, assembled from the per-domain query types."""

from __future__ import annotations

import strawberry

from graphql_api.comparisons.queries import ComparisonQueries
from graphql_api.sync_status.queries import SyncStatusQueries


@strawberry.type(description="Read comparisons, tools and reviewers.")
class Query(ComparisonQueries, SyncStatusQueries):
    pass


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=Query)


schema = build_schema()
