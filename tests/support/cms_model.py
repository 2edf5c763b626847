"""A small CMS in memory, applied to the database the way the sync worker applies entries.

Changes go through ``cms_sync.apply`` (``apply_page`` and ``delete_entries``, each in its own
transaction, as the engine runs them), in Directus's entry shape, so the feed's log is written
by the real sync path. Used by the feed's property test and its benchmark.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from cms_sync.apply import apply_page, delete_entries

SOURCE = "memory"
_BASE = datetime(2026, 1, 1, tzinfo=UTC)
_LENSES = ("developer_experience", "competition", "thesis", "business")


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MemoryCms:
    """Entries by collection and id; every save moves the CMS's updated-at clock forward."""

    def __init__(self) -> None:
        self.items: dict[str, dict[int, dict[str, Any]]] = {}
        self._tick = 0

    def _now(self) -> str:
        self._tick += 1
        return _stamp(_BASE + timedelta(milliseconds=self._tick))

    async def put(self, collection: str, entries: list[dict[str, Any]]) -> None:
        """Save entries (new or edited) and sync them, as one page."""
        stamped = [{**e, "date_created": e.get("date_created") or self._now()} for e in entries]
        for entry in stamped:
            entry["date_updated"] = self._now()
            self.items.setdefault(collection, {})[entry["id"]] = entry
        await apply_page(SOURCE, collection, stamped, cursor=None)

    async def delete(self, collection: str, ids: set[int]) -> None:
        for entry_id in ids:
            self.items.get(collection, {}).pop(entry_id, None)
        async with in_transaction():  # the sync keeps ids as text
            await delete_entries(SOURCE, collection, {str(i) for i in ids})

    def get(self, collection: str, entry_id: int) -> dict[str, Any] | None:
        return self.items.get(collection, {}).get(entry_id)

    async def put_tool(self, tool_id: int, status: str = "published", name: str = "") -> None:
        await self.put("tools", [tool(tool_id, status, name)])

    async def put_reviewer(self, reviewer_id: int) -> None:
        await self.put("reviewers", [reviewer(reviewer_id)])

    async def put_comparison(
        self, comparison_id: int, tools: tuple[int, ...], status: str = "published", **fields: Any
    ) -> None:
        """A comparison with a side per tool (creating tools not in the CMS yet)."""
        for tool_id in tools:
            if self.get("tools", tool_id) is None:
                await self.put_tool(tool_id)
        await self.put("comparisons", [comparison(comparison_id, status, **fields)])
        sides = [side(comparison_id, tool_id, n) for n, tool_id in enumerate(tools, start=1)]
        await self.put("comparison_sides", sides)


def tool(tool_id: int, status: str = "published", name: str = "") -> dict[str, Any]:
    return {
        "id": tool_id,
        "status": status,
        "slug": f"tool-{tool_id}",
        "name": name or f"Tool {tool_id}",
        "vendor": f"Vendor {tool_id % 7}",
        "tagline": "Writes code",
        "description": None,
        "category": "coding-assistant",
        "pricing_entry": "Free",
        "license": None,
        "open_weights": tool_id % 2 == 0,
        "model_sizes": ["7B"],
        "website": None,
        "logo_url": None,
    }


def reviewer(reviewer_id: int) -> dict[str, Any]:
    return {
        "id": reviewer_id,
        "status": "published",
        "slug": f"reviewer-{reviewer_id}",
        "name": f"Reviewer {reviewer_id}",
        "lens": _LENSES[reviewer_id % 4],
        "bio": None,
    }


def review(review_id: int, tool_id: int, reviewer_id: int, verdict: str) -> dict[str, Any]:
    return {
        "id": review_id,
        "status": "published",
        "reviewer": reviewer_id,
        "tool": tool_id,
        "verdict": verdict,
        "quote": f"Take {review_id}",
        "published_at": None,
    }


def comparison(
    comparison_id: int, status: str = "published", *, slug: str = "", title: str = ""
) -> dict[str, Any]:
    return {
        "id": comparison_id,
        "status": status,
        "slug": slug or f"comparison-{comparison_id}",
        "title": title or f"Comparison {comparison_id}",
        "headline": "Which one?",
        "summary": None,
        "pricing_read": None,
        "voting_open": True,
        "published_at": _stamp(_BASE),
    }


def side(comparison_id: int, tool_id: int, position: int) -> dict[str, Any]:
    return {
        "id": comparison_id * 100 + position,
        "comparison": comparison_id,
        "tool": tool_id,
        "sort": position,
    }
