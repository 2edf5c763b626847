"""Validation results kept per parsed document, by identity.

Strawberry's ``ValidationCache`` is an ``lru_cache`` keyed by the ``DocumentNode``, and an AST
node's hash walks the whole tree: on a comparison page that is ~140 node hashes per request
just to find the cached answer. ``ParserCache`` hands out one ``DocumentNode`` per query text,
so the node's identity is as good a key and costs nothing; an entry keeps its document alive,
so an id is never reused while it is cached.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Rules = tuple[type[ASTValidationRule], ...]


class DocumentValidations:
    """The validation errors of recently run documents (an LRU shared by every request)."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._entries: OrderedDict[
            int, tuple[DocumentNode, GraphQLSchema, Rules, list[GraphQLError]]
        ] = OrderedDict()

    def validate(
        self, schema: GraphQLSchema, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        key = id(document)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is document and entry[1] is schema and entry[2] == rules:
            self._entries.move_to_end(key)
            return entry[3]
        errors = validate_document(schema, document, rules)
        self._entries[key] = (document, schema, rules, errors)
        self._entries.move_to_end(key)
        if len(self._entries) > self._maxsize:
            self._entries.popitem(last=False)
        return errors


class ValidationByIdentity(SchemaExtension):
    """Strawberry's ``ValidationCache``, keyed by the parsed document's identity."""

    def __init__(self, validations: DocumentValidations) -> None:
        super().__init__()
        self._validations = validations

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None  # validation runs after a parse
        context.pre_execution_errors = self._validations.validate(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        yield
