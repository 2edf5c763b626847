"""The committed SDL: the drift check catches a stale file; breaking changes are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphql_api import schema_breaking, schema_export


def test_committed_schema_matches_the_code() -> None:
    assert schema_export.main(["--check"]) == 0


def test_drift_check_fails_when_the_schema_changes_without_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "schema.graphql"
    # As if a field had been added in code but the file not regenerated.
    stale.write_text(schema_export.render().replace("  panelShipPercent: Int\n", "", 1))
    assert schema_export.main(["--check", "--path", str(stale)]) == 1
    assert "+  panelShipPercent: Int" in capsys.readouterr().out
    missing = tmp_path / "missing.graphql"
    assert schema_export.main(["--check", "--path", str(missing)]) == 1


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
