"""Which content versions a change bumps, so the API's response cache drops exactly those.

The API records, for each cached response, the keys of the rows it read (``tools:7``), of the rows
whose children it listed (a tool's reviews hang off ``tools:7``), and of whole collections for
lists and "not found" answers. A change bumps the changed row's key, the keys of the rows it
hangs off, and the keys of rows whose shown children it filters (a tool turning draft hides its
side on every comparison), before and after the change, so moved references count twice.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from verdict.content_versions import entity_key
from verdict.models.content import ComparisonSide, Review


async def affected_keys(collection: str, ids: Collection[str]) -> set[str]:
    """Version keys that the rows ``ids`` of ``collection`` (as stored now) feed into."""
    if not ids:
        return set()
    id_list = list(ids)
    keys: set[str] = set()
    if collection in ("tools", "reviewers", "comparisons"):
        keys.update(entity_key(collection, i) for i in id_list)
    if collection == "tools":
        sides: list[Any] = await ComparisonSide.filter(tool_id__in=id_list).values_list(
            "comparison_id", flat=True
        )
        keys.update(entity_key("comparisons", c) for c in sides)
        reviews: list[Any] = await Review.filter(tool_id__in=id_list).values_list(
            "reviewer_id", flat=True
        )
        keys.update(entity_key("reviewers", r) for r in reviews)
    elif collection == "reviewers":
        tools: list[Any] = await Review.filter(reviewer_id__in=id_list).values_list(
            "tool_id", flat=True
        )
        keys.update(entity_key("tools", t) for t in tools)
    elif collection == "comparisons":
        side_tools: list[Any] = await ComparisonSide.filter(comparison_id__in=id_list).values_list(
            "tool_id", flat=True
        )
        keys.update(entity_key("tools", t) for t in side_tools)
    elif collection == "reviews":
        for tool_id, reviewer_id in await Review.filter(id__in=id_list).values_list(
            "tool_id", "reviewer_id"
        ):
            keys.add(entity_key("tools", tool_id))
            keys.add(entity_key("reviewers", reviewer_id))
    elif collection == "comparison_sides":
        for comparison_id, tool_id in await ComparisonSide.filter(id__in=id_list).values_list(
            "comparison_id", "tool_id"
        ):
            keys.add(entity_key("comparisons", comparison_id))
            keys.add(entity_key("tools", tool_id))
    return keys
