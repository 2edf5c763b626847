"""Automatic persisted queries (Apollo APQ) and trusted documents: which text a request runs.

APQ: a request carries ``extensions.persistedQuery = {version: 1, sha256Hash}``. With the hash
alone, the registered document runs, or the answer is ``PersistedQueryNotFound`` and the client
sends hash and query together, which registers it (after checking the hash, and only once the
document parsed and validated). Works over GET
(``?extensions=...``), which is what makes queries cacheable by CDNs.

Trusted documents (VERDICT_TRUSTED_DOCUMENTS=only): only documents of the committed manifest run,
whether named by hash or sent in full; nothing can be registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from graphql_api.errors import ErrorCode, user_error
from graphql_api.persisted.manifest import document_hash
from graphql_api.persisted.store import DocumentStore

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(slots=True)
class PersistedQueries:
    store: DocumentStore
    trusted: dict[str, str] | None
    """The manifest in trusted-documents mode; None when any document may run."""

    async def resolve(
        self, query: str | None, extensions: dict[str, Any] | None
    ) -> str | GraphQLError | None:
        """The document text to run, an error to answer with, or None (no query: strawberry's
        own "no query" answer)."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if query is None or self.trusted is None:
                return query
            if document_hash(query) in self.trusted:
                return query
            return _not_allowed()
        sha256 = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        if (
            not isinstance(persisted, dict)
            or persisted.get("version") != 1
            or not isinstance(sha256, str)
            or not _SHA256.match(sha256)
        ):
            return user_error(
                "extensions.persistedQuery must be {version: 1, sha256Hash: <64 hex digits>}.",
                ErrorCode.BAD_USER_INPUT,
            )
        if query is not None and document_hash(query) != sha256:
            return user_error(
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of `query`.",
                ErrorCode.PERSISTED_QUERY_HASH_MISMATCH,
            )
        if self.trusted is not None:
            document = self.trusted.get(sha256)
            return document if document is not None else _not_allowed()
        if query is not None:
            return query  # registered once it parsed and validated (``register``)
        document = await self.store.get(sha256)
        if document is None:
            return GraphQLError(
                "PersistedQueryNotFound",
                extensions={"code": ErrorCode.PERSISTED_QUERY_NOT_FOUND.value},
            )
        return document

    async def register(self, query: str | None, extensions: dict[str, Any] | None) -> None:
        """Keep ``query`` under its hash, when the request asked for it (APQ) and the document
        parsed and validated: the caller calls this only then, so a broken or hostile text is
        never stored."""
        persisted = (extensions or {}).get("persistedQuery")
        if self.trusted is not None or query is None or not isinstance(persisted, dict):
            return
        sha256 = persisted.get("sha256Hash")
        if isinstance(sha256, str) and document_hash(query) == sha256:
            await self.store.put(sha256, query)


def _not_allowed() -> GraphQLError:
    return user_error(
        "This server only runs its trusted documents (schema/trusted-documents.json); this "
        "operation is not one of them.",
        ErrorCode.PERSISTED_QUERY_NOT_ALLOWED,
    )
