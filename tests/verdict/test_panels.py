"""The panel figures the sync keeps (verdict.panels, table ``tool_panel``) stay exact.

After every step of random sequences of sync changes (reviews changing verdict, status, tool or
reviewer; reviewers leaving and rejoining the panel; reviews, reviewers and tools deleted and
re-created) applied through the sync's own functions, on SQLite and PostgreSQL, every tool's
row equals a recount from the review rows themselves, and the statement that fills the table for
COPYed content (``RECOUNT_ALL_SQL``) gives the same rows.
"""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from cms_sync.apply import apply_page, delete_entries
from tests.support.content import SAMPLE_CONTENT
from verdict import panels
from verdict.models.content import Review, Reviewer, Status
from verdict.models.panels import ToolPanel
from verdict.settings import Settings

SOURCE = "test-panels"


def _entries(collection: str) -> dict[int, dict[str, Any]]:
    document = json.loads((SAMPLE_CONTENT / f"{collection}.json").read_text())
    return {entry["id"]: entry for entry in document["data"]}


async def _expected() -> dict[int, tuple[int, int]]:
    """Every tool's (ship, skip), recounted in Python from the review rows."""
    published = {r["id"] for r in await Reviewer.filter(status=Status.PUBLISHED).values("id")}
    counts: Counter[tuple[int, str]] = Counter()
    for review in await Review.filter(status=Status.PUBLISHED).values(
        "tool_id", "reviewer_id", "verdict"
    ):
        if review["reviewer_id"] in published:
            counts[review["tool_id"], str(review["verdict"])] += 1
    tools = {tool for tool, _ in counts}
    return {tool: (counts[tool, "ship"], counts[tool, "skip"]) for tool in tools}


async def _stored() -> dict[int, tuple[int, int]]:
    return {
        r["tool_id"]: (r["ship"], r["skip"])
        for r in await ToolPanel.all().values("tool_id", "ship", "skip")
        if r["ship"] or r["skip"]
    }


class _Changes:
    """Random CMS changes, each applied as the sync applies it."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.clock = datetime(2026, 11, 2, tzinfo=UTC)
        self.entries = {c: _entries(c) for c in ("tools", "reviewers", "reviews")}
        self.gone: dict[str, dict[int, dict[str, Any]]] = {c: {} for c in self.entries}

    def _stamp(self, entry: dict[str, Any]) -> dict[str, Any]:
        self.clock += timedelta(seconds=1)
        entry["date_updated"] = self.clock.isoformat().replace("+00:00", "Z")
        return entry

    async def _apply(self, collection: str, entries: list[dict[str, Any]]) -> None:
        result = await apply_page(SOURCE, collection, entries, cursor=None)
        assert not result.quarantined, result.quarantined

    async def step(self) -> str:
        rng = self.rng
        reviews = self.entries["reviews"]
        kind = rng.choice(
            ["verdict", "verdict", "status", "move", "reviewer status", "delete", "restore"]
        )
        if kind in ("verdict", "status", "move"):
            changed = []
            for review_id in rng.sample(sorted(reviews), rng.randint(1, 4)):
                entry = reviews[review_id]
                if kind == "verdict":
                    entry["verdict"] = rng.choice(["ship", "skip"])
                elif kind == "status":
                    entry["status"] = rng.choice(["published", "draft", "archived"])
                else:
                    entry["tool"] = rng.choice(sorted(self.entries["tools"]))
                    entry["reviewer"] = rng.choice(sorted(self.entries["reviewers"]))
                changed.append(self._stamp(entry))
            await self._apply("reviews", changed)
        elif kind == "reviewer status":
            reviewer = self.entries["reviewers"][rng.choice(sorted(self.entries["reviewers"]))]
            reviewer["status"] = rng.choice(["published", "draft", "archived"])
            await self._apply("reviewers", [self._stamp(reviewer)])
        elif kind == "delete":
            collection = rng.choice(["reviews", "reviews", "reviewers", "tools"])
            pool = self.entries[collection]
            if len(pool) > 3:
                gone = rng.choice(sorted(pool))
                self.gone[collection][gone] = pool.pop(gone)
                if collection != "reviews":  # the CMS deletes what refers to it too
                    field = "reviewer" if collection == "reviewers" else "tool"
                    for review_id in [i for i, r in reviews.items() if r[field] == gone]:
                        self.gone["reviews"][review_id] = reviews.pop(review_id)
                async with in_transaction():
                    await delete_entries(SOURCE, collection, {str(gone)})
        else:  # restore what was deleted, parents first
            for collection in ("tools", "reviewers", "reviews"):
                restored = []
                for entry_id, entry in list(self.gone[collection].items()):
                    refers_to_gone = collection == "reviews" and (
                        entry["tool"] not in self.entries["tools"]
                        or entry["reviewer"] not in self.entries["reviewers"]
                    )
                    if not refers_to_gone:
                        self.entries[collection][entry_id] = self.gone[collection].pop(entry_id)
                        restored.append(self._stamp(copy.deepcopy(entry)))
                if restored:
                    await self._apply(collection, restored)
        return kind


async def test_the_demo_content_synced_has_exact_figures(demo_db: Settings) -> None:
    expected = await _expected()
    assert expected  # the demo content has reviews on most tools
    assert await _stored() == expected


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_random_sync_sequences_keep_every_tool_exact(demo_db: Settings, seed: int) -> None:
    changes = _Changes(seed)
    kinds: Counter[str] = Counter()
    for _ in range(40):
        kinds[await changes.step()] += 1
        assert await _stored() == await _expected(), kinds
    assert len(kinds) >= 5, kinds  # the sequence exercised most kinds of change
    # The statement that fills the table for COPYed content agrees with the sync.
    kept = await _stored()
    await ToolPanel.all().delete()
    await Tortoise.get_connection("default").execute_script(panels.RECOUNT_ALL_SQL)
    assert await _stored() == kept


def test_tools_in_reads_only_tool_keys() -> None:
    keys = ["tools:7", "tools:12", "reviewers:7", "tools", "comparisons:3", "tools:x", "*"]
    keys += ["tools:a:b", "tools:"]  # an id is opaque text, ':' included; an empty one is none
    assert panels.tools_in(keys) == {"7", "12", "x", "a:b"}
