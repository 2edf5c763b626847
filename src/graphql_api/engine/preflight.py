"""The checks an operation passes before it runs over WebSocket, as over HTTP.

Over HTTP the view checks the envelope, resolves persisted and trusted documents, and the schema
extensions refuse broken limits with their codes. Strawberry's graphql-transport-ws handler does
none of the first two, closes on a syntax error and reports other refusals without a code.
``Preflight`` runs the same steps for a ``subscribe`` payload and answers either the request to
run (with the resolved document) or the errors to send in an ``error`` message.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError, parse, specified_rules
from strawberry.http import GraphQLRequestData
from strawberry.types.execution import PreExecutionError

from graphql_api.engine._compat import graphql_schema, validate_document
from graphql_api.limits import envelope
from graphql_api.limits.extension import inspect
from graphql_api.limits.operations import operation_error
from graphql_api.persisted.resolve import PersistedQueries
from graphql_api.responses import error_body, format_errors
from graphql_api.settings import ApiSettings

Errors = list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Preflight:
    schema: strawberry.Schema
    persisted: PersistedQueries
    api: ApiSettings
    max_page_size: int
    mask: bool

    async def check(self, payload: object) -> GraphQLRequestData | Errors:
        """The request to run, or the formatted errors that refuse it."""
        try:
            data = envelope.request_from(payload)
        except envelope.EnvelopeError as exc:
            return _refusal(exc)
        resolved = await self.persisted.resolve(data.query, data.extensions)
        if isinstance(resolved, GraphQLError):
            return self._errors(resolved)
        if resolved is None:
            return _refusal(envelope.EnvelopeError("The payload holds no `query`."))
        try:
            document = parse(resolved, max_tokens=self.api.max_tokens)
        except GraphQLError as exc:
            return self._errors(exc)
        refused = operation_error(document, data.operation_name, subscriptions=True)
        if refused is not None:
            return _refusal(refused)
        # Limits before validation, as the schema extension does: validating a fragment bomb
        # is itself the expensive part.
        _, limit = inspect(
            self.api, self.max_page_size, resolved, document, data.operation_name, data.variables
        )
        if limit is not None:
            return self._errors(limit)
        # Strawberry's own validation (graphql-core's rules and its two), as its path runs it.
        invalid = validate_document(graphql_schema(self.schema), document, tuple(specified_rules))
        if invalid:
            return self._errors(*invalid)
        await self.persisted.register(resolved, data.extensions)
        return dataclasses.replace(data, query=resolved)

    def _errors(self, *errors: GraphQLError) -> Errors:
        return format_errors(PreExecutionError(None, list(errors)), mask=self.mask)


def _refusal(exc: envelope.EnvelopeError) -> Errors:
    errors: Errors = error_body(exc.message, exc.code)["errors"]
    return errors
