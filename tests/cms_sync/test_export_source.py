"""The demo's sample content loads through the sync engine, and loading it again changes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from tests.support.content import SAMPLE_CONTENT
from verdict.models.content import Comparison, ComparisonSide, Review, Reviewer, Status, Tool
from verdict.models.sync import QuarantinedEntry, SyncCheckpoint
from verdict.settings import Settings


async def _snapshot() -> dict[str, list[dict[str, Any]]]:
    return {
        model.__name__: await model.all().order_by("id").values()
        for model in (Tool, Reviewer, Review, Comparison, ComparisonSide)
    }


async def test_sample_content_loads_and_reload_changes_nothing(db: Settings) -> None:
    first = await SyncEngine(ExportSource(SAMPLE_CONTENT)).run(full=True)
    assert first.changed
    assert not first.quarantine_reasons
    before = await _snapshot()

    second = await SyncEngine(ExportSource(SAMPLE_CONTENT)).run(full=True)
    assert not second.changed
    assert await _snapshot() == before

    third = await SyncEngine(ExportSource(SAMPLE_CONTENT)).run(full=False)
    assert not third.changed
    assert await _snapshot() == before
    assert await QuarantinedEntry.all().count() == 0
    # Checkpoints record that the passes ran; they only ever move forward.
    cursors: list[Any] = await SyncCheckpoint.all().values_list("cursor", flat=True)
    assert all(c is not None and c >= first.started_at for c in cursors)


async def test_sample_content_has_what_the_demo_promises(demo_db: Settings) -> None:
    seed = await Comparison.get(slug="code-llama-4-vs-mistral-code")
    sides = await ComparisonSide.filter(comparison_id=seed.id).order_by("position")
    assert len(sides) == 2
    lenses = {r.lens for r in await Reviewer.filter(status=Status.PUBLISHED)}
    assert len(lenses) == 4
    for side in sides:
        verdicts: list[Any] = await Review.filter(tool_id=side.tool_id).values_list(
            "verdict", flat=True
        )
        assert len(verdicts) == 4
        assert set(verdicts) == {"ship"}
    published_tools = await Tool.filter(status=Status.PUBLISHED).count()
    published_comparisons = await Comparison.filter(status=Status.PUBLISHED).count()
    assert published_tools >= 7
    assert published_comparisons >= 4
    verdict_mix = {
        tuple(sorted(await Review.filter(tool_id=t.id).values_list("verdict", flat=True)))
        for t in await Tool.filter(status=Status.PUBLISHED)
    }
    assert len(verdict_mix) >= 3, "sample content should mix verdicts"


async def test_an_export_with_text_ids_syncs_and_bad_ids_are_quarantined(
    db: Settings, tmp_path: Path
) -> None:
    """Ids are taken as they come (Directus's integers as text); an empty, over-long or
    control-character id is quarantined with a reason an editor can act on, the rest syncs."""
    export = tmp_path / "export"
    shutil.copytree(SAMPLE_CONTENT, export)
    path = export / "tools.json"
    document = json.loads(path.read_text())
    template = document["data"][0]
    bad = {"": "id is empty", "t" * 256: "more than the 255 allowed", "a\tb": "control character"}
    document["data"] += [
        template | {"id": bad_id, "slug": f"bad-{n}"} for n, bad_id in enumerate(bad)
    ]
    document["data"].append(template | {"id": "5KsDBWseXY6QegucYAoacS", "slug": "text-id"})
    path.write_text(json.dumps(document))

    report = await SyncEngine(ExportSource(export)).run(full=True)
    assert (await Tool.get(slug="text-id")).id == "5KsDBWseXY6QegucYAoacS"
    assert (await Tool.get(id=str(template["id"]))).slug == template["slug"]
    issues = {q.cms_id: q for q in await QuarantinedEntry.filter(collection="tools")}
    assert set(issues) == {"", "t" * 255, "a\tb"}  # an over-long id is kept under its first part
    for bad_id, reason in bad.items():
        issue = issues[bad_id[:255]]
        assert issue.reason_code == "invalid_id"
        assert reason in issue.reason
    assert len(report.quarantine_reasons) == 3
    # A second pass keeps the issues (the entries are still there) and changes nothing else.
    again = await SyncEngine(ExportSource(export)).run(full=True)
    assert not again.changed
    assert await QuarantinedEntry.filter(collection="tools").count() == 3
