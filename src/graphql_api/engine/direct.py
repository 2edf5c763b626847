"""Queries already known to be valid, run straight through graphql-core.

Strawberry's ``Schema.execute`` takes every request through its extension hooks: parse, validate
and execute, each an async context manager per extension (four here). For a query text that was
parsed and validated without errors before (a frontend sends the same few documents over and
over) every one of those steps ends in a cache hit, and the bookkeeping around them costs more
than a page's own resolvers.

``DirectQueries`` runs such a query the way Strawberry would, minus the hooks: the same
document (the validation extension remembers the clean ones, see
``graphql_api.engine.validation``), the same executor class and context, the operation limits
checked afresh (they depend on the variables), errors logged through the schema, and the same
``extensions.cost``. Anything else takes Strawberry's path unchanged: a text seen for the first
time, one whose validation failed, a mutation or subscription, a broken limit (Strawberry then
reports it) or an operation name the document does not hold.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeGuard, cast

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError, OperationType, execute
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from graphql_api.context import Context
from graphql_api.engine._compat import MiddlewareManager, graphql_schema, process_errors
from graphql_api.engine.documents import BudgetedParserCache
from graphql_api.engine.validation import DocumentValidations, ValidationByIdentity
from graphql_api.limits.extension import OperationLimits, cost_extension, inspect
from graphql_api.settings import ApiSettings
from verdict.settings import Settings

REPLACED_EXTENSIONS: Final = (
    MaxTokensLimiter,
    OperationLimits,
    BudgetedParserCache,
    ValidationByIdentity,
)
"""The schema extensions, in order, whose work the direct path does itself: the token limit and
parsing (a known-clean text was parsed within the limit before), the operation limits
(``inspect``, per request) and validation (known clean). A schema with any other extension
list must take Strawberry's path: ``DirectQueries`` refuses it."""


class UnexpectedExtensionsError(RuntimeError):
    """The schema's extensions are not the ones the direct path replaces."""


def extension_types(schema: strawberry.Schema) -> tuple[type, ...]:
    """The class of each of the schema's extensions (given as a class, an instance or a
    factory, as Strawberry accepts them)."""
    found: list[type] = []
    for extension in schema.extensions:
        if isinstance(extension, type):
            found.append(extension)
        elif isinstance(extension, SchemaExtension):
            found.append(type(extension))
        else:
            found.append(type(extension()))
    return tuple(found)


# Strawberry's check (exact types first), the one its own path gives graphql-core.
_IS_AWAITABLE = cast("Callable[[Any], TypeGuard[Awaitable[Any]]]", optimized_is_awaitable)


class DirectQueries:
    def __init__(
        self,
        schema: strawberry.Schema,
        validations: DocumentValidations,
        settings: Settings,
        api: ApiSettings,
    ) -> None:
        found = extension_types(schema)
        if found != REPLACED_EXTENSIONS:
            raise UnexpectedExtensionsError(
                "the direct path replaces exactly these schema extensions: "
                f"{[t.__name__ for t in REPLACED_EXTENSIONS]}, but the schema has "
                f"{[t.__name__ for t in found]}; teach graphql_api/engine/direct.py what the "
                "new one does, or leave the direct path off for this schema"
            )
        self._schema = schema
        self._validations = validations
        self._limits = api
        self._max_page_size = settings.max_page_size
        self._executor = schema.execution_context_class  # the one Strawberry's path uses

    async def execute(self, data: GraphQLRequestData, context: Context) -> ExecutionResult | None:
        """The query's result, or None when it must take Strawberry's path."""
        if not data.query:
            return None
        clean = self._validations.clean(data.query)
        if clean is None or clean.operations.get(data.operation_name) is not OperationType.QUERY:
            return None
        analysis, refused = inspect(
            self._limits,
            self._max_page_size,
            data.query,
            clean.document,
            data.operation_name,
            data.variables,
        )
        if refused is not None:
            return None
        try:
            outcome: Any = execute(
                graphql_schema(self._schema),
                clean.document,
                root_value=None,
                context_value=context,
                variable_values=data.variables,
                operation_name=data.operation_name,
                middleware=MiddlewareManager(),
                is_awaitable=_IS_AWAITABLE,
                executor_class=self._executor,
                operation_extensions=data.extensions,
            )
            if _IS_AWAITABLE(outcome):
                outcome = await outcome
        except Exception as exc:  # as Strawberry does: an error result, never a crash
            outcome = GraphQLExecutionResult(
                data=None, errors=[GraphQLError(str(exc), original_error=exc)]
            )
        assert isinstance(outcome, GraphQLExecutionResult)  # no @defer or @stream in the schema
        if outcome.errors:
            process_errors(self._schema, outcome.errors)
        return ExecutionResult(
            data=outcome.data,
            errors=outcome.errors,
            extensions=cost_extension(analysis, self._limits),
        )
