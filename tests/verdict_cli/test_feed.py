"""`verdict feed prune` on a migrated database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from verdict.db import migrate
from verdict.settings import Settings
from verdict_cli.main import main


def test_prune_runs_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite://{tmp_path / 'prune.sqlite3'}"
    asyncio.run(migrate(Settings(database_url=url)))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VERDICT_FEED_RETENTION_DAYS", "7")
    assert main(["feed", "prune"]) == 0
    assert "pruned 0 tombstones older than 7 days" in capsys.readouterr().err
    assert main(["feed", "prune", "--days", "2"]) == 0
    assert "older than 2 days" in capsys.readouterr().err
