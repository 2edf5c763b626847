"""Valid CMS entries for the fake Directus, and a comparison of the database with its content."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cms_sync.apply import MODELS
from cms_sync.entries import parse_entry
from tests.support.fake_directus import FakeDirectus
from verdict.settings import PROJECT_ROOT

SAMPLE_CONTENT = PROJECT_ROOT / "content" / "sample"


def tool(entry_id: int, **changes: Any) -> dict[str, Any]:
    entry = {
        "id": entry_id,
        "status": "published",
        "slug": f"tool-{entry_id}",
        "name": f"Tool {entry_id}",
        "vendor": f"Vendor {entry_id % 97}",
        "tagline": "Writes code",
        "description": None,
        "category": "coding-assistant",
        "pricing_entry": "Free",
        "license": None,
        "open_weights": entry_id % 2 == 0,
        "model_sizes": ["7B"],
        "website": None,
        "logo_url": None,
    }
    return entry | changes


def reviewer(entry_id: int, **changes: Any) -> dict[str, Any]:
    lenses = ("developer_experience", "competition", "thesis", "business")
    entry = {
        "id": entry_id,
        "status": "published",
        "slug": f"reviewer-{entry_id}",
        "name": f"Reviewer {entry_id}",
        "lens": lenses[entry_id % 4],
        "bio": None,
    }
    return entry | changes


def review(entry_id: int, tool_id: int, reviewer_id: int, **changes: Any) -> dict[str, Any]:
    entry = {
        "id": entry_id,
        "status": "published",
        "reviewer": reviewer_id,
        "tool": tool_id,
        "verdict": "ship" if entry_id % 3 else "skip",
        "quote": f"Take {entry_id}",
        "published_at": None,
    }
    return entry | changes


def seed(
    fake: FakeDirectus,
    *,
    tools: int,
    reviewers: int,
    reviews: int,
    ties: int = 3,
    spacing: timedelta = timedelta(milliseconds=1),
) -> None:
    """Content saved in the past: ``ties`` entries share each timestamp, ``spacing`` apart."""
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    for collection in ("tools", "reviewers", "reviews", "comparisons", "comparison_sides"):
        fake.items.setdefault(collection, {})

    def at(i: int) -> datetime:
        return base + spacing * (i // ties)

    for i in range(1, tools + 1):
        fake.put("tools", tool(i), at=at(i))
    for i in range(1, reviewers + 1):
        fake.put("reviewers", reviewer(i), at=at(i))
    for i in range(1, reviews + 1):
        fake.put("reviews", review(i, (i % tools) + 1, (i % reviewers) + 1), at=at(i))


async def assert_mirrors(fake: FakeDirectus) -> None:
    """The database holds exactly the fake's entries, field for field."""
    for collection, entries in fake.items.items():
        model = MODELS[collection]
        expected = {str(i): parse_entry(collection, e).columns for i, e in entries.items()}
        found: list[Any] = await model.all().values_list("id", flat=True)
        ids = sorted(found)
        assert ids == sorted(expected), f"{collection}: ids differ"
        columns = sorted({c for cols in expected.values() for c in cols})
        rows = await model.all().values(*columns) if columns else []
        stored = {row["id"]: row for row in rows}
        for entry_id, cols in expected.items():
            assert stored[entry_id] == cols, f"{collection} {entry_id} differs"


def edited_export(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(SAMPLE_CONTENT, folder)
    tools_file = folder / "tools.json"
    tools = json.loads(tools_file.read_text())
    for tool in tools["data"]:
        if tool["slug"] == "code-llama-4":
            tool["name"] = name
            tool["date_updated"] = "2026-11-01T00:00:00.000Z"
    tools_file.write_text(json.dumps(tools))
    return folder
