"""The GraphQL schema, assembled from the per-domain query types."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import MaxTokensLimiter
from strawberry.schema.config import StrawberryConfig

from graphql_api.comparisons.queries import ComparisonQueries
from graphql_api.digest.mutations import DigestMutations
from graphql_api.engine.documents import BudgetedParserCache, ParsedDocuments
from graphql_api.engine.executor import FastExecutor, StockExecutor
from graphql_api.engine.validation import DocumentValidations, ValidationByIdentity
from graphql_api.feed.queries import FeedQueries
from graphql_api.limits.extension import OperationLimits
from graphql_api.relay.queries import NodeQueries
from graphql_api.reviewers.queries import ReviewerQueries
from graphql_api.settings import MB, ApiSettings
from graphql_api.sync_status.queries import SyncStatusQueries
from graphql_api.tools.queries import ToolQueries
from graphql_api.votes.mutations import VoteMutations
from graphql_api.votes.subscriptions import VoteSubscriptions
from verdict.settings import Settings


@strawberry.type(description="Read comparisons, tools and reviewers. Only published content.")
class Query(
    ComparisonQueries, ToolQueries, ReviewerQueries, NodeQueries, SyncStatusQueries, FeedQueries
):
    pass


@strawberry.type(description="Community votes and the digest subscription.")
class Mutation(VoteMutations, DigestMutations):
    pass


@strawberry.type(description="Live updates over graphql-transport-ws.")
class Subscription(VoteSubscriptions):
    pass


def build_schema(
    settings: Settings | None = None,
    api: ApiSettings | None = None,
    executor: type[StockExecutor] = FastExecutor,
    validations: DocumentValidations | None = None,
    documents: ParsedDocuments | None = None,
) -> strawberry.Schema:
    """The schema; with ``settings`` and ``api``, with the operation limits, caches and batching
    they set.

    ``executor`` is graphql-core's executor class: ``FastExecutor`` (see
    ``graphql_api.engine.executor``) unless a test compares it with Strawberry's own.
    ``validations`` keeps the validation results and ``documents`` the parsed documents (new
    caches when not given).
    """
    if settings is None or api is None:
        return strawberry.Schema(
            query=Query,
            mutation=Mutation,
            subscription=Subscription,
            execution_context_class=executor,
        )
    if validations is None:
        validations = DocumentValidations(api.document_cache_mb * MB)
    if documents is None:
        documents = ParsedDocuments(api.document_cache_mb * MB, api.max_tokens)
    parsed = documents
    extensions: list[Any] = [
        lambda: MaxTokensLimiter(max_token_count=api.max_tokens),
        lambda: OperationLimits(api, settings.max_page_size),
        lambda: BudgetedParserCache(parsed),
        lambda: ValidationByIdentity(validations),
    ]
    config = StrawberryConfig(
        batching_config={"max_operations": api.max_batch} if api.max_batch > 0 else None
    )
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=config,
        execution_context_class=executor,
    )


schema = build_schema()
