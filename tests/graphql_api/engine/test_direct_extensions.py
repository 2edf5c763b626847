"""The direct path runs a query without Strawberry's extension hooks, so it must know every
extension it skips: a schema with any other extension list is refused when the view is built."""

from __future__ import annotations

import pytest
import strawberry
from strawberry.extensions import MaskErrors

from graphql_api.engine.direct import (
    REPLACED_EXTENSIONS,
    DirectQueries,
    UnexpectedExtensionsError,
    extension_types,
)
from graphql_api.engine.validation import DocumentValidations
from graphql_api.schema import build_schema
from graphql_api.settings import ApiSettings
from verdict.settings import Settings

SETTINGS = Settings(database_url="sqlite://unused.sqlite3")
API = ApiSettings()


def test_the_api_schema_has_exactly_the_replaced_extensions() -> None:
    schema = build_schema(SETTINGS, API, validations=DocumentValidations(1024 * 1024))
    assert extension_types(schema) == REPLACED_EXTENSIONS
    DirectQueries(schema, DocumentValidations(1024 * 1024), SETTINGS, API)


def test_an_extension_it_does_not_replace_is_refused() -> None:
    schema = build_schema(SETTINGS, API, validations=DocumentValidations(1024 * 1024))
    extended = strawberry.Schema(
        query=schema.query,
        extensions=[*schema.extensions, MaskErrors],
    )
    with pytest.raises(UnexpectedExtensionsError, match="MaskErrors"):
        DirectQueries(extended, DocumentValidations(1024 * 1024), SETTINGS, API)


def test_a_missing_extension_is_refused() -> None:
    bare = build_schema()
    with pytest.raises(UnexpectedExtensionsError):
        DirectQueries(bare, DocumentValidations(1024 * 1024), SETTINGS, API)
