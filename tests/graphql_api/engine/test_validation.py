"""Validation results are kept per parsed document (graphql_api.engine.validation)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse, specified_rules

from graphql_api.engine import validation
from graphql_api.engine._compat import graphql_schema, validate_document
from graphql_api.engine.documents import AST_BYTES_PER_CHARACTER
from graphql_api.schema import schema

RULES = tuple(specified_rules)


def test_a_document_is_validated_once_and_the_cache_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Any] = []
    real = validate_document  # what validation.py imports and calls

    def counted(*args: Any) -> Any:
        calls.append(args[1])
        return real(*args)

    monkeypatch.setattr(validation, "validate_document", counted)
    # A byte budget that holds the two smaller documents below, not a third one.
    cache = validation.DocumentValidations(30 * AST_BYTES_PER_CHARACTER)
    core_schema = graphql_schema(schema)
    good, bad, third = (
        parse("{ __typename }"),
        parse("{ nope }"),
        parse("{ tools { nodes { slug } } }"),
    )
    assert cache.validate(core_schema, good, RULES) == []
    assert cache.validate(core_schema, good, RULES) == []
    assert len(calls) == 1
    errors = cache.validate(core_schema, bad, RULES)
    assert "nope" in errors[0].message
    assert cache.validate(core_schema, bad, RULES) is errors
    # An equal document parsed again is another object: validated on its own.
    cache.validate(core_schema, parse("{ __typename }"), RULES)
    assert len(calls) == 3
    cache.validate(core_schema, third, RULES)  # evicts the least recently used (good)
    cache.validate(core_schema, good, RULES)
    assert len(calls) == 5
