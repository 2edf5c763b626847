"""Validation results kept per parsed document, by identity.

Strawberry's ``ValidationCache`` is an ``lru_cache`` keyed by the ``DocumentNode``, and an AST
node's hash walks the whole tree: on a comparison page that is ~140 node hashes per request
just to find the cached answer. ``ParserCache`` hands out one ``DocumentNode`` per query text,
so the node's identity is as good a key and costs nothing; an entry keeps its document alive,
so an id is never reused while it is cached.

The documents that validated without errors are also kept by their text (``clean``), with the
type of each operation they hold, for ``graphql_api.engine.direct``.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from strawberry.extensions import SchemaExtension

from graphql_api.caching.budget import ByteLRU
from graphql_api.engine._compat import graphql_schema, validate_document
from graphql_api.engine.documents import document_size

Rules = tuple[type[ASTValidationRule], ...]


class CleanDocument:
    """A document that passed validation, and the type of each operation it holds (by name; the
    key None stands for the document's only operation)."""

    __slots__ = ("document", "operations")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        definitions = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        self.operations: dict[str | None, OperationType] = {
            d.name.value: d.operation for d in definitions if d.name is not None
        }
        if len(definitions) == 1:
            self.operations[None] = definitions[0].operation


class DocumentValidations:
    """The validation errors of recently run documents (an LRU shared by every request), and
    the clean texts, each within ``max_bytes`` (graphql_api.caching.budget)."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: ByteLRU[
            int, tuple[DocumentNode, GraphQLSchema, Rules, list[GraphQLError]]
        ] = ByteLRU(max_bytes)
        self._clean: ByteLRU[str, CleanDocument] = ByteLRU(max_bytes)

    @property
    def held_bytes(self) -> int:
        """What the kept entries weigh, as counted against the budget."""
        return self._entries.bytes + self._clean.bytes

    def clean(self, query: str) -> CleanDocument | None:
        """The document of this text, when it was validated before without errors."""
        return self._clean.get(query)

    def validate(
        self, schema: GraphQLSchema, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        key = id(document)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is document and entry[1] is schema and entry[2] == rules:
            return entry[3]
        errors = validate_document(schema, document, rules)
        self._entries.put(key, (document, schema, rules, errors), document_size(document))
        return errors

    def remember_clean(self, query: str, document: DocumentNode) -> None:
        if query not in self._clean:
            self._clean.put(query, CleanDocument(document), len(query) + document_size(document))


class ValidationByIdentity(SchemaExtension):
    """Strawberry's ``ValidationCache``, keyed by the parsed document's identity; it also
    remembers the texts whose documents validated without errors."""

    def __init__(self, validations: DocumentValidations) -> None:
        super().__init__()
        self._validations = validations

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None  # validation runs after a parse
        errors = self._validations.validate(
            graphql_schema(context.schema), context.graphql_document, context.validation_rules
        )
        context.pre_execution_errors = errors
        if not errors and context.query:
            self._validations.remember_clean(context.query, context.graphql_document)
        yield
