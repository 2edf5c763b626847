"""Votes belong to Verdict: CMS deletions and unpublishing hide them, republishing shows them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from tests.support.content import SAMPLE_CONTENT
from tests.support.votes import LEFT, PAGE, RIGHT, SEED, AppFactory, cast, gql, tokens
from verdict.models.votes import Vote


def _edit(folder: Path, collection: str, change: Any) -> None:
    path = folder / f"{collection}.json"
    export = json.loads(path.read_text())
    export["data"] = change(export["data"])
    path.write_text(json.dumps(export))


async def test_full_resync_after_delete_and_recreate_keeps_votes(
    vote_client: AppFactory, tmp_path: Path
) -> None:
    http = await vote_client()
    voters = tokens(3)
    for voter, tool in zip(voters, (LEFT, LEFT, RIGHT), strict=True):
        await cast(http, voter, tool)
    export = tmp_path / "export"
    shutil.copytree(SAMPLE_CONTENT, export)
    comparisons = json.loads((export / "comparisons.json").read_text())["data"]
    sides = json.loads((export / "comparison_sides.json").read_text())["data"]
    seed = next(c for c in comparisons if c["slug"] == SEED)
    seed_sides = [s for s in sides if s["comparison"] == seed["id"]]

    # The CMS deletes the comparison (and its sides); a full sync removes them.
    _edit(export, "comparisons", lambda rows: [r for r in rows if r["id"] != seed["id"]])
    _edit(export, "comparison_sides", lambda rows: [r for r in rows if r not in seed_sides])
    await SyncEngine(ExportSource(export)).run(full=True)
    assert (await gql(http, PAGE, {"slug": SEED}, voter=voters[0]))["comparison"] is None
    assert (await cast(http, voters[0], RIGHT))["__typename"] == "ComparisonNotFound"
    assert await Vote.filter(comparison_slug=SEED).count() == 3

    # An editor re-creates it under the same slug: new CMS ids, later timestamps.
    later = "2026-11-20T10:00:00.000Z"
    recreated = {**seed, "id": 9001, "date_created": later, "date_updated": later}
    new_sides = [
        {**s, "id": 9001 + i, "comparison": 9001, "date_created": later, "date_updated": later}
        for i, s in enumerate(seed_sides)
    ]
    _edit(export, "comparisons", lambda rows: [*rows, recreated])
    _edit(export, "comparison_sides", lambda rows: [*rows, *new_sides])
    await SyncEngine(ExportSource(export)).run(full=True)
    page = (await gql(http, PAGE, {"slug": SEED}, voter=voters[0]))["comparison"]
    assert page["myVote"] == LEFT
    assert [s["voteCount"] for s in page["sides"]] == [2, 1]
    assert (await cast(http, voters[2], LEFT))["tally"]["totalVotes"] == 3


async def test_unpublished_side_hides_its_votes_until_republished(
    vote_client: AppFactory, tmp_path: Path
) -> None:
    http = await vote_client()
    voters = tokens(3)
    for voter, tool in zip(voters, (LEFT, RIGHT, RIGHT), strict=True):
        await cast(http, voter, tool)
    export = tmp_path / "export"
    shutil.copytree(SAMPLE_CONTENT, export)
    later = "2026-11-20T10:00:00.000Z"

    def set_status(status: str, stamp: str) -> None:
        _edit(
            export,
            "tools",
            lambda rows: [
                {**r, "status": status, "date_updated": stamp} if r["slug"] == RIGHT else r
                for r in rows
            ],
        )

    set_status("draft", later)
    await SyncEngine(ExportSource(export)).run(full=True)
    page = (await gql(http, PAGE, {"slug": SEED}, voter=voters[1]))["comparison"]
    assert [(s["tool"]["slug"], s["voteCount"], s["voteShare"]) for s in page["sides"]] == [
        (LEFT, 1, 100)
    ]
    assert page["myVote"] is None  # their pick is hidden, not lost
    assert (await cast(http, voters[0], RIGHT))["__typename"] == "ToolNotInComparison"

    set_status("published", "2026-11-21T10:00:00.000Z")
    await SyncEngine(ExportSource(export)).run(full=True)
    page = (await gql(http, PAGE, {"slug": SEED}, voter=voters[1]))["comparison"]
    assert page["myVote"] == RIGHT
    assert [s["voteCount"] for s in page["sides"]] == [1, 2]
