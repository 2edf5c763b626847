"""Stable error codes: every error the API returns carries one in ``extensions.code``.

Clients branch on the code, never on the message, so codes never change once published.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from graphql import GraphQLError


class ErrorCode(StrEnum):
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    """The document is not valid GraphQL syntax."""
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    """The document does not fit the schema (unknown field or argument, wrong type...)."""
    BAD_USER_INPUT = "BAD_USER_INPUT"
    """A variable or argument value is not acceptable."""
    PAGE_SIZE_EXCEEDED = "PAGE_SIZE_EXCEEDED"
    """``first`` asks for more items than one page may hold."""
    INVALID_CURSOR = "INVALID_CURSOR"
    """``after`` is not a cursor this API handed out."""
    INVALID_ID = "INVALID_ID"
    """``node(id:)`` got something that is not a global id of this API."""
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    """Something went wrong on the server; the message is masked in production."""


def user_error(message: str, code: ErrorCode, **details: Any) -> GraphQLError:
    """An error caused by the request's input, with its stable code and any details."""
    return GraphQLError(message, extensions={"code": code.value, **details})
