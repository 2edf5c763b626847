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
    DEPTH_LIMIT_EXCEEDED = "DEPTH_LIMIT_EXCEEDED"
    """The operation nests fields deeper than allowed (``maxDepth``)."""
    TOKEN_LIMIT_EXCEEDED = "TOKEN_LIMIT_EXCEEDED"
    """The document has more tokens than allowed (``maxTokens``)."""
    ALIAS_LIMIT_EXCEEDED = "ALIAS_LIMIT_EXCEEDED"
    """The operation uses more aliases than allowed, counted through fragments."""
    COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"
    """The operation's estimated cost (page sizes times children) is over ``maxCost``."""
    INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED"
    """Introspection is turned off on this server (VERDICT_INTROSPECTION)."""
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    """The hash is not registered: send it again with the full ``query`` (Apollo APQ)."""
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    """``extensions.persistedQuery.sha256Hash`` is not the SHA-256 of ``query``."""
    PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
    """Trusted-documents mode: only operations of the server's manifest may run."""
    BAD_REQUEST = "BAD_REQUEST"
    """The HTTP request is not a GraphQL request (unparseable body, wrong content type...)."""
    BODY_TOO_LARGE = "BODY_TOO_LARGE"
    """The request body is larger than allowed (HTTP 413)."""
    BATCH_LIMIT_EXCEEDED = "BATCH_LIMIT_EXCEEDED"
    """A batch holds more operations than allowed, or batching is off."""
    INVALID_PREVIEW_TOKEN = "INVALID_PREVIEW_TOKEN"
    """The preview token is forged, tampered with or expired (HTTP 401)."""
    INVALID_VOTER_TOKEN = "INVALID_VOTER_TOKEN"
    """The voter token or bearer token does not verify and no valid cookie sibling does (401)."""
    VOTER_MINT_LIMITED = "VOTER_MINT_LIMITED"
    """``POST /voter``: too many voters minted from this address or network (429)."""
    VOTER_PROOF_INVALID = "VOTER_PROOF_INVALID"
    """``POST /voter``: the proof of work is missing, stale, spent or short of work (400)."""
    BOT_CHECK_FAILED = "BOT_CHECK_FAILED"
    """``POST /voter``: the bot-check provider did not vouch (403) or could not be asked (503)."""
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    """Something went wrong on the server; the message is masked in production."""


def user_error(message: str, code: ErrorCode, **details: Any) -> GraphQLError:
    """An error caused by the request's input, with its stable code and any details."""
    return GraphQLError(message, extensions={"code": code.value, **details})
