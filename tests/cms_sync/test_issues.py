"""The worker hands every pass's open sync issues to its board; a failing board never stops it."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from cms_sync.directus.issue_board import admin_link, issue_item
from cms_sync.export_source import ExportSource
from cms_sync.issues import SyncIssue, open_issues
from cms_sync.lock import lock_for
from cms_sync.worker import SyncWorker, WatchOptions
from tests.support.content import SAMPLE_CONTENT
from verdict.settings import Settings

WAIT = 30  # generous upper bound for an event to happen; not a performance assertion
OPTIONS = WatchOptions(poll_seconds=3600.0, webhook_port=0, lock_retry_seconds=0.05)


class Board:
    """Records what it is asked to show; fails when told to."""

    def __init__(self, *, failing: bool = False) -> None:
        self.failing = failing
        self.shown: list[list[SyncIssue]] = []

    async def publish(self, issues: Sequence[SyncIssue]) -> None:
        if self.failing:
            raise OSError("the CMS is unreachable")
        self.shown.append(list(issues))


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """The sample content with one tool whose tagline an editor left blank."""
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE_CONTENT, folder)
    tools = json.loads((folder / "tools.json").read_text())
    tools["data"][0]["tagline"] = "  "
    (folder / "tools.json").write_text(json.dumps(tools))
    return folder


async def _one_pass(db: Settings, export: Path, board: Board, said: list[str]) -> None:
    lock = lock_for(db)
    stop = asyncio.Event()
    worker = SyncWorker(ExportSource(export), lock, OPTIONS, say=said.append, issues=board)
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.wait_for(worker.wait_for_passes(1), WAIT)
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)
        await lock.release()


async def test_each_pass_publishes_the_open_issues(db: Settings, export: Path) -> None:
    board = Board()
    await _one_pass(db, export, board, [])
    tool_id = str(json.loads((export / "tools.json").read_text())["data"][0]["id"])
    [shown] = board.shown
    assert (shown[0].collection, shown[0].item, shown[0].reason_code, shown[0].reason) == (
        "tools",
        tool_id,
        "missing_field",
        "tagline is required",
    )
    # Its sides and reviews wait for it, and say so.
    assert shown[1:]
    for waiting in shown[1:]:
        assert waiting.collection in ("comparison_sides", "reviews")
        assert waiting.reason == f"waits for tools {tool_id} to be synced"
    assert shown == await open_issues("export")
    item = issue_item(shown[0])
    assert item["link"] == admin_link("tools", tool_id) == f"/admin/content/tools/{tool_id}"
    assert item["first_seen"].endswith("Z")


async def test_a_board_that_fails_is_reported_and_the_sync_goes_on(
    db: Settings, export: Path
) -> None:
    said: list[str] = []
    await _one_pass(db, export, Board(failing=True), said)
    assert any("could not publish sync issues: the CMS is unreachable" in s for s in said)
    assert any(s.startswith("full sync:") for s in said)
