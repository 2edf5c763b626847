"""Breaking schema changes are found and reported; without a base to compare with, the report is
informational."""

from __future__ import annotations

import pytest

from graphql_api import schema_breaking


def test_breaking_changes_are_found() -> None:
    old = (
        "type Query { comparison(slug: String!): Comparison }\n"
        "type Comparison { title: String! headline: String! }"
    )
    new = (
        "type Query { comparison(slug: String!, lang: String!): Comparison }\n"
        "type Comparison { title: String }"
    )
    breaking, _ = schema_breaking.compare(old, new)
    assert any("headline was removed" in line for line in breaking)
    assert any("lang" in line for line in breaking)
    assert any("title changed type" in line for line in breaking)
    assert schema_breaking.compare(new, new) == ([], [])


def test_report_is_informational_without_a_base(capsys: pytest.CaptureFixture[str]) -> None:
    assert schema_breaking.main(["--base", "no-such-revision-xyz"]) == 0
    assert "nothing to compare" in capsys.readouterr().out
