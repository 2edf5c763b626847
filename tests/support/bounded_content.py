"""CMS entries at the declared list bounds (``verdict.limits``), synced through ``apply_page``.

``sync_at_the_bounds`` fills every bounded list to its bound: a comparison with the most sides,
each side's tool with the most reviews (each by its own reviewer, so the reviewer split is as
long as it may be), a tool on more comparisons than ``Tool.comparisons`` lists and a reviewer
with more reviews than ``Reviewer.reviews`` lists.
"""

from __future__ import annotations

from typing import Any

from cms_sync.apply import PageResult, apply_page
from tests.support.content import review, reviewer, tool
from verdict import limits

SOURCE = "export"
STAMP = "2026-11-01T00:00:00.000Z"
SIDE_TOOLS = range(1, limits.MAX_COMPARISON_SIDES + 1)
"""The tools on the sides of every comparison."""
BUSY_REVIEWER = 1
"""Reviews one tool of every side and more tools besides: past ``Reviewer.reviews``'s cap."""
COMPARISONS = limits.MAX_TOOL_COMPARISONS + 1
EXTRA_TOOLS = limits.MAX_REVIEWER_REVIEWS + 1


def dated(entry: dict[str, Any]) -> dict[str, Any]:
    return entry | {"date_updated": STAMP}


def comparison(entry_id: int, **changes: Any) -> dict[str, Any]:
    entry = {
        "id": entry_id,
        "status": "published",
        "slug": f"comparison-{entry_id}",
        "title": f"Comparison {entry_id}",
        "headline": "Which one?",
        "summary": None,
        "pricing_read": None,
        "voting_open": True,
        "published_at": f"2026-10-{1 + entry_id % 28:02d}T00:00:00Z",
    }
    return dated(entry | changes)


def side(entry_id: int, comparison_id: int, tool_id: int) -> dict[str, Any]:
    entry = {"id": entry_id, "comparison": comparison_id, "tool": tool_id, "sort": tool_id}
    return dated(entry)


def sizes(count: int) -> list[str]:
    return [f"{n}B" for n in range(1, count + 1)]


def side_id(comparison_id: int, tool_id: int) -> int:
    return comparison_id * 100 + tool_id


def review_id(tool_id: int, seat: int) -> int:
    """The review of ``tool_id`` in panel seat ``seat`` (1-based)."""
    return tool_id * 100 + seat


async def apply(collection: str, entries: list[dict[str, Any]]) -> PageResult:
    return await apply_page(SOURCE, collection, entries, cursor=None)


async def sync_at_the_bounds() -> None:
    """Every bounded list at its bound (or an API-capped one past its cap), all applied."""
    tool_ids = [*SIDE_TOOLS, *range(100, 100 + EXTRA_TOOLS)]
    panel = limits.MAX_TOOL_REVIEWS * len(SIDE_TOOLS)
    results = [
        await apply(
            "tools", [dated(tool(i, model_sizes=sizes(limits.MAX_MODEL_SIZES))) for i in tool_ids]
        ),
        await apply("reviewers", [dated(reviewer(i)) for i in range(1, panel + 1)]),
        await apply("comparisons", [comparison(c) for c in range(1, COMPARISONS + 1)]),
        await apply(
            "comparison_sides",
            [side(side_id(c, t), c, t) for c in range(1, COMPARISONS + 1) for t in SIDE_TOOLS],
        ),
    ]
    reviews = [
        # Seat k of tool t is reviewer (t-1)*M + k: every review of every side by its own reviewer.
        dated(review(review_id(t, k), t, (t - 1) * limits.MAX_TOOL_REVIEWS + k))
        for t in SIDE_TOOLS
        for k in range(1, limits.MAX_TOOL_REVIEWS + 1)
    ]
    reviews += [
        dated(review(review_id(t, 1), t, BUSY_REVIEWER)) for t in tool_ids[len(SIDE_TOOLS) :]
    ]
    results.append(await apply("reviews", reviews))
    for result in results:
        assert not result.quarantined, result.quarantined
