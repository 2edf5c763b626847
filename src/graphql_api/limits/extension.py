"""Operation limits as a schema extension: depth, aliases, cost and introspection.

The checks run once the document is parsed and before graphql-core validates it (validation of
a fragment bomb is itself expensive), and refuse the operation with a stable code. The estimated
cost is returned in the response's ``extensions.cost``. The token limit is graphql-core's own
parser limit (strawberry's MaxTokensLimiter), mapped to TOKEN_LIMIT_EXCEEDED in responses.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import SchemaExtension

from graphql_api.caching.budget import ByteLRU
from graphql_api.errors import ErrorCode, user_error
from graphql_api.limits.analysis import ANALYSES, Analysis
from graphql_api.settings import ApiSettings

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def _has_nul(value: Any) -> bool:
    """True when a NUL character hides in a (nested) variable value: no database text holds one
    (PostgreSQL refuses them), so such input is refused up front."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class _StringValues(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.nul = False

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        if "\x00" in node.value:
            self.nul = True


class _NulStrings:
    """Whether a document's string literals hold a NUL, remembered per document text (within
    ``max_bytes`` of texts)."""

    def __init__(self, max_bytes: int = 8 * 1024 * 1024) -> None:
        self._seen: ByteLRU[str, bool] = ByteLRU(max_bytes)

    def __call__(self, query: str | None, document: DocumentNode) -> bool:
        if query is not None:
            found = self._seen.get(query)
            if found is not None:
                return found
        strings = _StringValues()
        visit(document, strings)
        if query is not None:
            self._seen.put(query, strings.nul, len(query))
        return strings.nul


_nul_strings = _NulStrings()


def check(analysis: Analysis, limits: ApiSettings) -> GraphQLError | None:
    """The first limit the operation breaks, as an error, or None."""
    if analysis.depth > limits.max_depth:
        return user_error(
            f"The operation is nested {analysis.depth} levels deep; at most "
            f"{limits.max_depth} are allowed.",
            ErrorCode.DEPTH_LIMIT_EXCEEDED,
            depth=analysis.depth,
            maxDepth=limits.max_depth,
        )
    if analysis.aliases > limits.max_aliases:
        return user_error(
            f"The operation uses {analysis.aliases} aliases (counted through fragments); at "
            f"most {limits.max_aliases} are allowed.",
            ErrorCode.ALIAS_LIMIT_EXCEEDED,
            aliases=analysis.aliases,
            maxAliases=limits.max_aliases,
        )
    if analysis.cost > limits.max_cost:
        return user_error(
            f"The operation's estimated cost is {analysis.cost}; at most {limits.max_cost} is "
            "allowed. Ask for smaller pages (`first`) or fewer nested lists.",
            ErrorCode.COST_LIMIT_EXCEEDED,
            cost=analysis.cost,
            maxCost=limits.max_cost,
        )
    if not limits.introspection and analysis.fields & INTROSPECTION_FIELDS:
        return user_error(
            "Introspection is disabled on this server; use the published schema "
            "(schema/schema.graphql).",
            ErrorCode.INTROSPECTION_DISABLED,
        )
    return None


def inspect(
    limits: ApiSettings,
    max_page_size: int,
    query: str | None,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> tuple[Analysis, GraphQLError | None]:
    """The operation's analysis, and the first limit it breaks (or NUL text it holds), if any."""
    analysis = ANALYSES.analyse(
        query, document, operation_name, variables, max_page_size=max_page_size
    )
    error = check(analysis, limits)
    if error is None and (_nul_strings(query, document) or _has_nul(variables)):
        error = user_error(
            "Text arguments and variables may not contain NUL characters.",
            ErrorCode.BAD_USER_INPUT,
        )
    return analysis, error


def cost_extension(analysis: Analysis, limits: ApiSettings) -> dict[str, Any]:
    """What a response's ``extensions`` say about the operation's cost."""
    return {"cost": {"estimated": analysis.cost, "max": limits.max_cost}}


class OperationLimits(SchemaExtension):
    """Create one per request: ``lambda: OperationLimits(settings.api, max_page_size)``."""

    def __init__(self, limits: ApiSettings, max_page_size: int) -> None:
        super().__init__()
        self._limits = limits
        self._max_page_size = max_page_size
        self._analysis: Analysis | None = None

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            self._analysis, error = inspect(
                self._limits,
                self._max_page_size,
                context.query,
                document,
                context.operation_name,
                context.variables,
            )
            if error is not None:
                raise error
        yield

    def get_results(self) -> dict[str, Any]:
        if self._analysis is None:
            return {}
        return cost_extension(self._analysis, self._limits)
