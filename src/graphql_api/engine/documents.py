"""Parsed documents by text, under a byte budget, shared by the parse step and the caching plan.

Strawberry's ``ParserCache`` is an ``lru_cache`` by entry count, and a parsed document weighs
about a hundred times its text (every node, location and token is an object): its default of
thousands of entries lets a stream of distinct large queries take gigabytes. Here the size of a
document is estimated from its text, and the cache holds at most ``max_bytes`` of them. A text
that fails to parse is not kept.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, Node, parse
from strawberry.extensions import SchemaExtension

from graphql_api.caching.budget import ByteLRU

AST_BYTES_PER_CHARACTER = 100
"""Measured: a parsed document takes 55 to 100 bytes per character of its text."""


def document_size(document: Node) -> int:
    """The estimated memory a parsed document (or any node of it, which keeps the document's
    source text and its own subtree alive) holds, from the length of the source text."""
    source = document.loc.source.body if document.loc is not None else ""
    return max(1, len(source)) * AST_BYTES_PER_CHARACTER


class ParsedDocuments:
    def __init__(self, max_bytes: int, max_tokens: int) -> None:
        self._cache: ByteLRU[str, DocumentNode] = ByteLRU(max_bytes)
        self._max_tokens = max_tokens

    @property
    def bytes(self) -> int:
        return self._cache.bytes

    def parse(self, query: str) -> DocumentNode:
        """The document of ``query``; raises graphql-core's GraphQLError when it does not parse
        (or has more than ``max_tokens`` tokens)."""
        document = self._cache.get(query)
        if document is None:
            document = parse(query, max_tokens=self._max_tokens)
            self._cache.put(query, document, len(query) * AST_BYTES_PER_CHARACTER)
        return document

    def parse_or_none(self, query: str) -> DocumentNode | None:
        try:
            return self.parse(query)
        except GraphQLError:
            return None


class BudgetedParserCache(SchemaExtension):
    """Strawberry's ``ParserCache``, over ``ParsedDocuments`` (pass it as a factory)."""

    def __init__(self, documents: ParsedDocuments) -> None:
        super().__init__()
        self._documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        # The token limit is the documents' own (ApiSettings.max_tokens, as MaxTokensLimiter's).
        context.graphql_document = self._documents.parse(context.query or "")
        yield
