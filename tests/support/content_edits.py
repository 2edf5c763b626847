"""Editing a copy of the bundled CMS export and syncing it, as an editor's change would arrive."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from tests.support.content import SAMPLE_CONTENT

LATER = "2026-11-20T10:00:00.000Z"


def copy_export(folder: Path) -> Path:
    target = folder / "export"
    shutil.copytree(SAMPLE_CONTENT, target)
    return target


async def edit_and_sync(
    export: Path, collection: str, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> None:
    """Apply ``change`` to one collection's rows and run the sync over the export."""
    path = export / f"{collection}.json"
    document = json.loads(path.read_text())
    document["data"] = change(document["data"])
    path.write_text(json.dumps(document))
    await SyncEngine(ExportSource(export)).run(full=True)


def set_review_verdict(review_id: str, verdict: str) -> Callable[[list[dict[str, Any]]], Any]:
    """Change one review, named by its id as Verdict keeps it (text; the export holds ints)."""

    def change(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**r, "verdict": verdict, "date_updated": LATER} if str(r["id"]) == review_id else r
            for r in rows
        ]

    return change
