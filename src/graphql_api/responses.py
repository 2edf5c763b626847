"""GraphQL over HTTP responses: media type negotiation, status codes and error codes.

Follows graphql.github.io/graphql-over-http: a client that accepts
``application/graphql-response+json`` gets that media type, with 400 and no ``data`` entry for
requests that fail before execution (parse, validation, variable coercion); every other client
gets ``application/json`` and 200 for any well-formed request.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSyntaxError, ValueNode
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.execution import ExecutionResult, PreExecutionError

from graphql_api.errors import ErrorCode

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
MASKED_MESSAGE = "Internal server error."

logger = logging.getLogger("graphql_api")


def negotiate_media_type(request: Request) -> str:
    """``application/graphql-response+json`` when the Accept header allows it (q > 0)."""
    for part in request.headers.get("accept", "").split(","):
        media_type, *params = (item.strip() for item in part.split(";"))
        if media_type.lower() != GRAPHQL_RESPONSE_JSON:
            continue
        quality = next((p.split("=", 1)[1] for p in params if p.startswith("q=")), "1")
        try:
            if float(quality) > 0:
                return GRAPHQL_RESPONSE_JSON
        except ValueError:
            return GRAPHQL_RESPONSE_JSON
    return APPLICATION_JSON


def is_request_error(result: ExecutionResult) -> bool:
    """True when the request failed before execution: the response has no ``data`` at all.

    Parse and validation errors come back as strawberry's PreExecutionError; variable coercion
    errors as a result with no data whose errors have no path (field errors always have one).
    """
    if isinstance(result, PreExecutionError):
        return True
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def error_code(error: GraphQLError, result: ExecutionResult) -> ErrorCode:
    """The stable code for an error that does not carry one itself."""
    if isinstance(error, GraphQLSyntaxError) or isinstance(
        error.original_error, GraphQLSyntaxError
    ):
        # graphql-core's parser stops at max_tokens with this message (VERDICT_MAX_TOKENS).
        if "Document contains more than" in error.message:
            return ErrorCode.TOKEN_LIMIT_EXCEEDED
        return ErrorCode.GRAPHQL_PARSE_FAILED
    if isinstance(result, PreExecutionError):
        return ErrorCode.GRAPHQL_VALIDATION_FAILED
    if error.path is None:  # variable coercion: resolver errors always carry a path
        return ErrorCode.BAD_USER_INPUT
    if _argument_error(error):
        return ErrorCode.BAD_USER_INPUT
    return ErrorCode.INTERNAL_SERVER_ERROR


def _argument_error(error: GraphQLError) -> bool:
    """Whether graphql-core refused a field's argument values while executing it.

    The spec coerces arguments as a field error (CoerceArgumentValues), so it carries a path: an
    explicit ``null`` variable given to a non-null argument that has a default is one that
    validation lets through. graphql-core raises a plain ``GraphQLError`` located at the
    argument's value in the document and wraps it for the field. Its other plain errors during
    execution are the server's own faults and are located elsewhere: a value that is not of the
    field's object type (``is_type_of``), an abstract type left unresolved, at the field; a scalar
    that cannot serialize a value, nowhere. An error our code raises has a code of its own or is
    not a ``GraphQLError``.
    """
    original = error.original_error
    return (
        isinstance(original, GraphQLError)
        and original.original_error is None
        and not original.extensions
        and bool(original.nodes)
        and all(isinstance(node, ValueNode) for node in original.nodes or ())
    )


def format_errors(
    result: ExecutionResult, *, mask: bool, request_id: str = ""
) -> list[dict[str, Any]]:
    """Errors as the spec formats them, each with ``extensions.code``.

    Unexpected errors (no code of their own) are logged with an id and the request id; with
    ``mask`` their message is replaced, so no internals reach clients, and the ids (returned as
    ``errorId`` and ``requestId``) let operators find the log line.
    """
    formatted = []
    for error in result.errors or ():
        item: dict[str, Any] = dict(error.formatted)
        extensions = dict(item.get("extensions") or {})
        if "code" not in extensions:
            code = error_code(error, result)
            extensions["code"] = code.value
            if code is ErrorCode.INTERNAL_SERVER_ERROR:
                error_id = uuid.uuid4().hex[:12]
                extensions["errorId"] = error_id
                if request_id:
                    extensions["requestId"] = request_id
                logger.error(
                    "unexpected GraphQL error %s",
                    error_id,
                    exc_info=error.original_error,
                    extra={"code": code.value},
                )
                if mask:
                    item["message"] = MASKED_MESSAGE
        item["extensions"] = extensions
        formatted.append(item)
    return formatted


def error_body(message: str, code: ErrorCode, **details: Any) -> dict[str, Any]:
    """A GraphQL-shaped body for a request refused before GraphQL runs."""
    return {"errors": [{"message": message, "extensions": {"code": code.value, **details}}]}


def error_response(
    status: int,
    message: str,
    code: ErrorCode,
    headers: dict[str, str] | None = None,
    **details: Any,
) -> Response:
    """``error_body`` as an ``application/json`` response with ``status``."""
    return Response(
        orjson.dumps(error_body(message, code, **details)),
        status_code=status,
        media_type=APPLICATION_JSON,
        headers=headers,
    )
