"""Which responses may be cached where: by the server's response cache, by shared HTTP caches
(CDNs), by the browser only, or not at all. Decided from the operation before it runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)

from graphql_api.limits.analysis import ANALYSES, Analysis

LIVE_FIELDS = frozenset({"voteCount", "voteShare", "myVote", "syncIssues", "tally", "voteTally"})
"""Fields whose values change without a content sync (votes) or are not content at all."""
PRIVATE_FIELDS = frozenset({"myVote"})
"""Fields whose values depend on who asks."""
UNTRACKED_FIELDS = frozenset({"syncIssues"})
"""Live fields that change with no event the API hears (the edge cache never keeps them)."""


class Scope(IntEnum):
    """From most to least cacheable; a batch takes the least cacheable of its operations."""

    CONTENT = 0
    """Content only: server cache, shared HTTP caches."""
    PUBLIC = 1
    """The same for everyone, but with live figures: shared HTTP caches, revalidated."""
    PRIVATE = 2
    """Depends on the voter: the browser's cache only."""
    NO_STORE = 3
    """Mutations, drafts, errors: never stored."""


@dataclass(frozen=True, slots=True)
class Plan:
    scope: Scope
    analysis: Analysis | None
    operation_name: str | None = None
    """The name of the operation that will run, from the document when the request has none."""


@lru_cache(maxsize=1024)
def _parse(query: str, max_tokens: int) -> DocumentNode | None:
    try:
        return parse(query, max_tokens=max_tokens)
    except GraphQLError:
        return None


def plan(
    query: str,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    *,
    max_tokens: int,
    max_page_size: int,
) -> Plan:
    """How cacheable the operation is; NO_STORE when it cannot even be parsed (it will fail)."""
    document = _parse(query, max_tokens)
    if document is None:
        return Plan(Scope.NO_STORE, None)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if len(operations) != 1:
        return Plan(Scope.NO_STORE, None)
    name = operations[0].name.value if operations[0].name else None
    if operations[0].operation is not OperationType.QUERY:
        return Plan(Scope.NO_STORE, None, name)
    analysis = ANALYSES.analyse(
        query, document, operation_name, variables, max_page_size=max_page_size
    )
    if analysis.fields & PRIVATE_FIELDS:
        return Plan(Scope.PRIVATE, analysis, name)
    # MOST_VOTED orders by tallies; looked for in the text and the variables, conservatively.
    if analysis.fields & LIVE_FIELDS or "MOST_VOTED" in query or "MOST_VOTED" in str(variables):
        return Plan(Scope.PUBLIC, analysis, name)
    return Plan(Scope.CONTENT, analysis, name)


def cache_control(scope: Scope, max_age: int) -> str:
    if scope is Scope.NO_STORE:
        return "no-store"
    if scope is Scope.PRIVATE:
        return "private, no-cache"
    if max_age > 0 and scope is Scope.CONTENT:
        return f"public, max-age={max_age}"
    return "public, no-cache"


def vary(scope: Scope) -> str:
    return "Accept, Authorization, Cookie, X-Verdict-Voter" if scope is Scope.PRIVATE else "Accept"


def etag(body: bytes) -> str:
    """A strong validator: the hash of the exact body, so it changes exactly when the body does."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str, tag: str) -> bool:
    candidates = [c.strip().removeprefix("W/") for c in if_none_match.split(",")]
    return "*" in candidates or tag in candidates
