"""The one wall between Verdict and the private parts of the libraries its fast paths reach into.

Every name below that is not a library's documented API is imported or read here and nowhere
else (ruff's SLF rule and the import contracts in ``.importlinter`` hold the rest of the tree to
that). Strawberry keeps its own graphql-core differences the same way
(``strawberry/schema/_graphql_core.py``).

At import the installed versions are checked against the ranges this module was written and
tested for (``SUPPORTED``, the same bounds as ``pyproject.toml``): an upgrade past them fails
loudly here, with the package and the range named, instead of misbehaving quietly in a fast
path. ``tests/graphql_api/engine/test_compat.py`` holds the ranges to ``pyproject.toml``.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema
from graphql.execution.collect_fields import CollectedFields, FieldDetailsList, GroupedFieldSet
from graphql.execution.middleware import MiddlewareManager
from graphql.pyutils import gather_with_cancel
from pypika_tortoise.terms import Parameterizer
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext, validate_document
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField
from tortoise import BaseDBAsyncClient, Model
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.router import router

if TYPE_CHECKING:
    import strawberry
    from strawberry.types import ExecutionContext
    from tortoise.queryset import ValuesQuery

__all__ = [
    "CAST_ATTRIBUTE",
    "SUPPORTED",
    "ASGIWebSocketAdapter",
    "BaseGraphQLTransportWSHandler",
    "CollectedFields",
    "FieldDetailsList",
    "GroupedFieldSet",
    "MiddlewareManager",
    "StrawberryField",
    "StrawberryGraphQLCoreExecutionContext",
    "UnsupportedVersionError",
    "check_versions",
    "clear_executor_cache",
    "db_for_read",
    "fields_for_select",
    "gather_with_cancel",
    "graphql_schema",
    "is_default_resolver",
    "make_query",
    "parameterized_sql",
    "process_errors",
    "raw_info",
    "validate_document",
]

SUPPORTED: Final[Mapping[str, tuple[str, str]]] = {
    "strawberry-graphql": ("0.327.2", "0.342"),
    "graphql-core": ("3.3.2", "3.4"),
    "tortoise-orm": ("1.1.9", "1.2"),
    "pypika-tortoise": ("0.6.5", "0.7"),
}
"""Distribution: (lowest version, first version not supported). The engine reaches into each."""

CAST_ATTRIBUTE: Final = TYPE_CAST_ATTRIBUTE
"""The attribute ``strawberry.cast`` sets on a value to force its GraphQL type."""


class UnsupportedVersionError(ImportError):
    """An installed library is outside the range the engine was written and tested for."""


def _release(version: str) -> tuple[int, ...]:
    """The numeric release of a version string (``0.341.2`` -> (0, 341, 2)); a pre-release
    suffix is dropped, so it counts as its release."""
    numbers: list[int] = []
    for part in version.split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
        if len(digits) != len(part):
            break
    return tuple(numbers)


def check_versions(
    installed: Callable[[str], str] = importlib.metadata.version,
    supported: Mapping[str, tuple[str, str]] = SUPPORTED,
) -> None:
    """Raise ``UnsupportedVersionError`` naming every library outside its supported range."""
    problems = []
    for name, (low, high) in supported.items():
        version = installed(name)
        if not _release(low) <= _release(version) < _release(high):
            problems.append(f"{name} {version} (supported: >={low},<{high})")
    if problems:
        raise UnsupportedVersionError(
            "graphql_api.engine reaches into library internals and was written for other "
            f"versions than those installed: {'; '.join(problems)}. Install the versions "
            "pinned in requirements.lock, or port graphql_api/engine/_compat.py and its "
            "callers to the new versions and widen SUPPORTED and pyproject.toml together."
        )


check_versions()


# Strawberry


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema Strawberry built (``Schema._schema``)."""
    built: GraphQLSchema = schema._schema
    return built


def process_errors(
    schema: strawberry.Schema,
    errors: list[GraphQLError],
    execution_context: ExecutionContext | None = None,
) -> None:
    """Strawberry's error reporting (its logger, or a subclass's override)."""
    schema._process_errors(errors, execution_context)


def raw_info(info: strawberry.Info[Any, Any]) -> GraphQLResolveInfo[Any]:
    """graphql-core's resolve info under Strawberry's ``Info`` (the field nodes, the
    fragments and the variables: what a look-ahead at the selection needs)."""
    raw: GraphQLResolveInfo[Any] = info._raw_info
    return raw


def is_default_resolver(resolve: object) -> bool:
    """Whether a field's resolver is Strawberry's default attribute getter."""
    return bool(getattr(resolve, "_is_default", False))


# Tortoise


def make_query(query: ValuesQuery[Any]) -> None:
    """Have Tortoise build the query's pypika tree (what ``await query`` does first)."""
    query._make_query()


class _Chosen(Parameterizer):
    """pypika's parameterizer, asked about each value: a value it declines is rendered in the SQL
    (as pypika writes constants) instead of becoming a parameter."""

    def __init__(self, parameterize: Callable[[Any], bool]) -> None:
        super().__init__()
        self._parameterize = parameterize

    def should_parameterize(self, value: Any) -> bool:
        return bool(super().should_parameterize(value) and self._parameterize(value))


def parameterized_sql(
    query: ValuesQuery[Any], parameterize: Callable[[Any], bool]
) -> tuple[str, list[Any]]:
    """The SQL and parameters Tortoise runs for ``query`` (after ``make_query``), except that each
    value for which ``parameterize`` answers False is written into the SQL as a literal, and the
    remaining parameters are numbered in order (``$1``... or ``?``, per dialect)."""
    builder = query.query
    context = builder.QUERY_CLS.SQL_CONTEXT.copy(parameterizer=_Chosen(parameterize))
    sql, params = builder.get_parameterized_sql(context)
    return sql, list(params)


def fields_for_select(query: ValuesQuery[Any]) -> dict[str, str]:
    """The (alias: field) pairs a values query selects, after ``make_query``."""
    fields: dict[str, str] = query._fields_for_select
    return fields


def db_for_read(model: type[Model]) -> BaseDBAsyncClient:
    """The client a read of ``model`` goes through, as ``QuerySet.values()`` picks it (a
    transaction's own client inside ``in_transaction``)."""
    db: BaseDBAsyncClient = router.db_for_read(model) or model._meta.db
    return db


def clear_executor_cache() -> None:
    """Forget the SQL Tortoise caches per connection name (not per dialect): for a process that
    opens Tortoise again on another database, as the tests and the benchmark do."""
    EXECUTOR_CACHE.clear()
