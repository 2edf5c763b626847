"""The sync enforces the content's list bounds: an entry past one is quarantined with a reason
editors can act on, the entries already stored keep their places, and it applies once there is
room again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from tortoise.transactions import in_transaction

from cms_sync.apply import delete_entries
from cms_sync.engine import SyncEngine
from cms_sync.entries import OVER_LIMIT
from cms_sync.export_source import ExportSource
from tests.support.bounded_content import (
    SOURCE,
    apply,
    comparison,
    dated,
    review_id,
    side,
    side_id,
    sizes,
    sync_at_the_bounds,
)
from tests.support.content import review, reviewer, tool
from verdict import limits
from verdict.models.content import ComparisonSide, Review
from verdict.models.sync import QuarantinedEntry
from verdict.settings import Settings

EXTRA_TOOL = 900
EXTRA_REVIEWER = 900
LATER = "2026-11-02T00:00:00.000Z"


async def _issue(collection: str, cms_id: int) -> QuarantinedEntry | None:
    return await QuarantinedEntry.get_or_none(
        source=SOURCE, collection=collection, cms_id=str(cms_id)
    )


async def test_a_side_past_the_bound_is_quarantined_and_applies_once_there_is_room(
    db: Settings,
) -> None:
    await sync_at_the_bounds()
    await apply("tools", [dated(tool(EXTRA_TOOL))])
    extra = side(9001, 1, EXTRA_TOOL)
    result = await apply("comparison_sides", [extra])
    assert [cms_id for cms_id, _ in result.quarantined] == ["9001"]
    issue = await _issue("comparison_sides", 9001)
    assert issue is not None
    assert issue.reason_code == OVER_LIMIT
    assert issue.reason == (
        f"comparison 1 already has {limits.MAX_COMPARISON_SIDES} sides, the most a comparison "
        "may show: remove one of its sides first"
    )
    assert await ComparisonSide.filter(comparison_id=1).count() == limits.MAX_COMPARISON_SIDES
    # A stored side edited at the bound keeps its place.
    edited = side(side_id(1, 1), 1, 1) | {"date_updated": LATER}
    assert not (await apply("comparison_sides", [edited])).quarantined
    # Room again: the quarantined side applies, and its issue is gone.
    async with in_transaction():
        await delete_entries(SOURCE, "comparison_sides", {str(side_id(1, 2))})
    assert (await apply("comparison_sides", [extra])).applied == 1
    assert await _issue("comparison_sides", 9001) is None
    assert await ComparisonSide.filter(comparison_id=1).count() == limits.MAX_COMPARISON_SIDES


async def test_new_sides_fill_the_room_left_in_id_order(db: Settings) -> None:
    await apply("tools", [dated(tool(i)) for i in range(1, 8)])
    await apply("comparisons", [comparison(1)])
    result = await apply("comparison_sides", [side(10 + i, 1, i) for i in range(7, 0, -1)])
    assert result.applied == limits.MAX_COMPARISON_SIDES
    kept: list[Any] = await ComparisonSide.filter(comparison_id=1).values_list("id", flat=True)
    assert sorted(kept) == ["11", "12", "13", "14"]
    assert sorted(cms_id for cms_id, _ in result.quarantined) == ["15", "16", "17"]


async def test_decimal_ids_fill_the_room_in_numeric_order(db: Settings) -> None:
    """Ids are text, but Directus's decimal ids keep their numeric order (9 before 10)."""
    await apply("tools", [dated(tool(i)) for i in range(1, 8)])
    await apply("comparisons", [comparison(1)])
    result = await apply("comparison_sides", [side(5 + i, 1, i) for i in range(7, 0, -1)])
    kept: list[Any] = await ComparisonSide.filter(comparison_id=1).values_list("id", flat=True)
    assert sorted(kept, key=int) == ["6", "7", "8", "9"]
    assert sorted(cms_id for cms_id, _ in result.quarantined) == ["10", "11", "12"]


async def test_a_review_past_the_bound_is_quarantined_unless_archived(db: Settings) -> None:
    await sync_at_the_bounds()
    await apply("reviewers", [dated(reviewer(EXTRA_REVIEWER))])
    for status in ("published", "draft"):
        entry = dated(review(9100, 1, EXTRA_REVIEWER, status=status))
        result = await apply("reviews", [entry])
        assert [cms_id for cms_id, _ in result.quarantined] == ["9100"], status
        issue = await _issue("reviews", 9100)
        assert issue is not None
        assert issue.reason_code == OVER_LIMIT
        assert f"tool 1 already has {limits.MAX_TOOL_REVIEWS} reviews" in issue.reason
    # Archived, it is in no list the API serves: it applies.
    archived = dated(review(9100, 1, EXTRA_REVIEWER, status="archived"))
    assert (await apply("reviews", [archived])).applied == 1
    assert await _issue("reviews", 9100) is None
    shown = await Review.filter(tool_id=1, status__in=["published", "draft"]).count()
    assert shown == limits.MAX_TOOL_REVIEWS
    # Archiving a stored review makes room for a new one in the same page.
    freed = review(review_id(1, 1), 1, 1, status="archived") | {"date_updated": LATER}
    newcomer = dated(review(9101, 1, EXTRA_REVIEWER))
    result = await apply("reviews", [freed, newcomer])
    assert not result.quarantined
    assert await Review.filter(tool_id=1, status="published").count() == limits.MAX_TOOL_REVIEWS


async def test_model_sizes_past_the_bound_quarantine_the_tool(db: Settings) -> None:
    over = dated(tool(1, model_sizes=sizes(limits.MAX_MODEL_SIZES + 1)))
    result = await apply("tools", [over, dated(tool(2, model_sizes=sizes(2)))])
    assert result.applied == 1
    issue = await _issue("tools", 1)
    assert issue is not None
    assert issue.reason_code == OVER_LIMIT
    assert issue.reason == (
        f"model_sizes lists {limits.MAX_MODEL_SIZES + 1} items, more than the "
        f"{limits.MAX_MODEL_SIZES} allowed"
    )


def _export(folder: Path, sides: list[int]) -> ExportSource:
    """An export of five tools, one comparison and the given sides (side 10+t shows tool t)."""
    folder.mkdir(exist_ok=True)
    content: dict[str, list[dict[str, Any]]] = {
        "tools": [dated(tool(t)) for t in range(1, 6)],
        "reviewers": [],
        "comparisons": [comparison(1)],
        "comparison_sides": [side(10 + t, 1, t) for t in sides],
        "reviews": [],
    }
    for collection, entries in content.items():
        (folder / f"{collection}.json").write_bytes(orjson.dumps({"data": entries}))
    return ExportSource(folder)


async def test_the_engine_retries_an_over_limit_entry_once_there_is_room(
    db: Settings, tmp_path: Path
) -> None:
    await SyncEngine(_export(tmp_path / "a", [1, 2, 3, 4, 5])).run(full=True)
    issue = await _issue("comparison_sides", 15)
    assert issue is not None
    assert issue.reason_code == OVER_LIMIT
    # The editor deletes a side; the waiting one is not edited, so only a retry can apply it.
    without_one = SyncEngine(_export(tmp_path / "b", [2, 3, 4, 5]))
    await without_one.run(full=True)
    await without_one.run(full=False)
    stored: list[Any] = await ComparisonSide.filter(comparison_id=1).values_list("id", flat=True)
    assert sorted(stored) == ["12", "13", "14", "15"]
    assert await _issue("comparison_sides", 15) is None
