"""Keeping each tool's published panel figures (``verdict.models.panels.ToolPanel``) exact.

The sync calls ``recount`` in the transaction of every change, with the tools whose content
version keys the change bumps (``tools_in``): a review's tool, before and after it moved; every
tool a reviewer reviewed when the reviewer changes status or leaves; a tool itself. Those are
exactly the changes that can move a tool's counts, because the API's cached panel figures
depend on the tool's key alone (``graphql_api.loaders``). A tool's row is rewritten from its
reviews, never incremented, so a recount is right whatever happened before it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from tortoise.functions import Count

from verdict.figures import counted_panel
from verdict.models.content import Review, Status
from verdict.models.panels import ToolPanel

RECOUNT_ALL_SQL = (
    "INSERT INTO tool_panel (tool_id, ship, skip) "
    "SELECT review.tool_id, "
    "SUM(CASE WHEN review.verdict = 'ship' THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN review.verdict = 'ship' THEN 0 ELSE 1 END) "
    "FROM review JOIN reviewer ON reviewer.id = review.reviewer_id "
    "WHERE review.status = 'published' AND reviewer.status = 'published' "
    "GROUP BY review.tool_id"
)
"""Every tool's row at once, into an empty table: for content loaded without the sync (the
benchmark's COPY; migration 0010 runs the same statement over what was synced before it)."""

_PREFIX = "tools:"
_CHUNK = 500  # keys per statement, well under SQLite's parameter limit


def tools_in(keys: Iterable[str]) -> set[str]:
    """The tool ids among content version keys (``tools:7``)."""
    return {
        key[len(_PREFIX) :] for key in keys if key.startswith(_PREFIX) and len(key) > len(_PREFIX)
    }


async def recount(tool_ids: Collection[str]) -> None:
    """Rewrite these tools' rows from their published reviews by published reviewers (a tool
    with none has no row: its counts are zero). Call inside the change's transaction."""
    ids = sorted(tool_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        await ToolPanel.filter(tool_id__in=chunk).delete()
        rows: list[dict[str, Any]] = (
            await Review.filter(
                tool_id__in=chunk, status=Status.PUBLISHED, reviewer__status=Status.PUBLISHED
            )
            .annotate(reviews=Count("id"))
            .group_by("tool_id", "verdict")
            .values("tool_id", "verdict", "reviews")
        )
        counted: dict[str, list[tuple[str, int]]] = {}
        for r in rows:
            verdict = str(getattr(r["verdict"], "value", r["verdict"]))
            counted.setdefault(r["tool_id"], []).append((verdict, int(r["reviews"])))
        panels = [
            ToolPanel(tool_id=tool, ship=ship, skip=skip)
            for tool, (ship, skip) in ((t, counted_panel(c)) for t, c in counted.items())
        ]
        if panels:
            await ToolPanel.bulk_create(panels)
