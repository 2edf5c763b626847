"""The request envelope, validated once at the boundary into typed GraphQL requests.

Everything a client sends around the document (the JSON body or the query string of a GET, the
``payload`` of a graphql-transport-ws ``subscribe``) goes through ``request_from`` before
anything else reads it. JSON is decoded by orjson, which refuses what Python's ``json`` lets
through and later code cannot handle: lone UTF-16 surrogates, invalid UTF-8, numbers that
overflow a double. Values are then checked for shape (``operationName`` a string or null,
``variables`` an object...) and for nesting depth, so no later stage (the log formatter, the
cache key, variable coercion) meets a value it was not written for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import HTTPException
from strawberry.http import GraphQLRequestData

from graphql_api.errors import ErrorCode

MAX_JSON_DEPTH = 32
"""Nesting allowed in ``variables`` and ``extensions``: the schema's deepest input is far less."""
MAX_OPERATION_NAME = 256
"""Longest ``operationName`` accepted (a GraphQL name; metrics and logs carry it)."""


class EnvelopeError(HTTPException):
    """A request refused before GraphQL runs, with its HTTP status and stable code."""

    def __init__(self, message: str, code: ErrorCode = ErrorCode.BAD_REQUEST, status: int = 400):
        super().__init__(status, message)
        self.code = code
        self.message = message


def decode_json(raw: str | bytes) -> object:
    """The JSON value of ``raw``; EnvelopeError (400) for anything that is not strict JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise EnvelopeError(f"The request is not valid JSON: {exc}.") from None


def _depth_exceeded(value: object, limit: int) -> bool:
    """True when ``value`` nests more than ``limit`` arrays/objects deep (iteratively: a
    recursive walk is what a deep value is meant to break)."""
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _object_or_null(data: Mapping[str, object], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise EnvelopeError(f"`{key}` must be an object or null.")
    if _depth_exceeded(value, MAX_JSON_DEPTH):
        raise EnvelopeError(
            f"`{key}` nests deeper than {MAX_JSON_DEPTH} levels.",
            ErrorCode.NESTING_LIMIT_EXCEEDED,
        )
    return value


def _text_or_null(data: Mapping[str, object], key: str, max_length: int | None) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise EnvelopeError(f"`{key}` must be a string or null.")
    if max_length is not None and len(value) > max_length:
        raise EnvelopeError(f"`{key}` is longer than {max_length} characters.")
    if "\x00" in value:
        raise EnvelopeError(f"`{key}` may not contain NUL characters.")
    return value


def request_from(data: object) -> GraphQLRequestData:
    """One GraphQL request from a decoded JSON value (a body item or a WebSocket payload)."""
    if not isinstance(data, dict):
        raise EnvelopeError(
            "A GraphQL request is a JSON object with `query`, `variables`, `operationName` "
            "and `extensions`."
        )
    return GraphQLRequestData(
        query=_text_or_null(data, "query", None),
        variables=_object_or_null(data, "variables"),
        operation_name=_text_or_null(data, "operationName", MAX_OPERATION_NAME),
        extensions=_object_or_null(data, "extensions"),
        protocol="http",
    )


def body_requests(data: object, max_batch: int) -> GraphQLRequestData | list[GraphQLRequestData]:
    """The request, or batch of requests, a POST body holds. ``max_batch`` 0: batching is off."""
    if not isinstance(data, list):
        return request_from(data)
    if max_batch == 0:
        raise EnvelopeError("Batching is not enabled", ErrorCode.BATCH_LIMIT_EXCEEDED)
    if len(data) > max_batch:
        raise EnvelopeError("Too many operations", ErrorCode.BATCH_LIMIT_EXCEEDED)
    if not data:
        raise EnvelopeError("A batch holds at least one request.")
    return [request_from(item) for item in data]


def query_string_request(params: Mapping[str, str]) -> GraphQLRequestData:
    """The request a GET's query string holds (``variables`` and ``extensions`` as JSON)."""
    data: dict[str, object] = {
        "query": params.get("query"),
        "operationName": params.get("operationName") or None,
    }
    for key in ("variables", "extensions"):
        raw = params.get(key)
        if raw:
            data[key] = decode_json(raw)
    return request_from(data)
