"""Which operation of a document runs, and whether it may run on this transport.

Checked before execution so the request is refused with a stable code: a document of several
operations with no ``operationName`` is a request error (the spec's GetOperation), and a
subscription only runs over WebSocket, never as an HTTP request that would answer with an
internal error.
"""

from __future__ import annotations

from graphql import DocumentNode, OperationDefinitionNode, OperationType

from graphql_api.errors import ErrorCode
from graphql_api.limits.envelope import EnvelopeError


def operation_error(
    document: DocumentNode | None, operation_name: str | None, *, subscriptions: bool
) -> EnvelopeError | None:
    """Why the document's selected operation may not run (None when it may, or when the
    document does not parse: the parser reports that)."""
    if document is None:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None and len(operations) > 1:
        return EnvelopeError(
            "The document holds several operations: name the one to run in `operationName`.",
            ErrorCode.OPERATION_NAME_REQUIRED,
        )
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return None  # an unknown name: Strawberry's own 400 says which
    if operations[0].operation is OperationType.SUBSCRIPTION and not subscriptions:
        return EnvelopeError(
            "Subscriptions run over WebSocket (graphql-transport-ws at /graphql), not HTTP.",
            ErrorCode.SUBSCRIPTION_OVER_HTTP,
        )
    return None


def refuse_over_http(
    document: DocumentNode | None, operation_name: str | None
) -> EnvelopeError | None:
    """``operation_error`` for an HTTP request (no subscriptions)."""
    return operation_error(document, operation_name, subscriptions=False)
