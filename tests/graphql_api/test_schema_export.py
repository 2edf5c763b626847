"""The committed SDL: it matches the code, and the drift check catches a stale file."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphql_api import schema_export


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
