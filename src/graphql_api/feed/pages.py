"""Building one page of the content feed and of the tally feed from the log (verdict.feed_log).

Nodes are read as the API serves them now (the request's statuses), so what an app stores is
what the API answers. A node read now is at least as new as its log row; any later change moves
the row past the token this page hands out, so it comes again on a later page.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import strawberry

from graphql_api.feed.types import (
    ContentChange,
    ContentKind,
    RemovalReason,
    Tombstone,
)
from graphql_api.loaders import Loaders
from graphql_api.reads import visible
from graphql_api.reviewers.types import ReviewerType
from graphql_api.rows import (
    COMPARISON_FIELDS,
    REVIEWER_FIELDS,
    TOOL_FIELDS,
    ComparisonRow,
    ReviewerRow,
    ToolRow,
)
from graphql_api.tools.types import ToolType
from graphql_api.votes.outcomes import SideCount, Tallies
from graphql_api.votes.types import ComparisonTally
from verdict.feed_log import KINDS, Position
from verdict.models.content import Comparison, ComparisonSide, Status
from verdict.models.feed import FeedChange
from verdict.models.votes import VoteTally

_FIELDS = {"comparisons": COMPARISON_FIELDS, "tools": TOOL_FIELDS, "reviewers": REVIEWER_FIELDS}


def stable_key(kind: str, entity_id: str) -> strawberry.ID:
    return strawberry.ID(f"{kind}:{entity_id}")


async def _visible_rows(
    kind: str, ids: list[str], statuses: frozenset[Status]
) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = await KINDS[kind].filter(id__in=ids, **visible(statuses)).values(*_FIELDS[kind])
    return {str(r["id"]): r for r in rows}


async def content_changes(
    rows: list[FeedChange], origin: Position, statuses: frozenset[Status], loaders: Loaders
) -> list[ContentChange]:
    """The changes of ``rows`` in log order: nodes for what is visible now, tombstones for the
    rest (except tombstones at or before ``origin``, of entries the app never held)."""
    ids: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        ids[row.kind].append(row.entity_id)
    shown = {kind: await _visible_rows(kind, kind_ids, statuses) for kind, kind_ids in ids.items()}
    hidden = {kind: [i for i in kind_ids if i not in shown[kind]] for kind, kind_ids in ids.items()}
    existing: dict[str, set[str]] = {}
    for kind, kind_ids in hidden.items():
        found: list[Any] = (
            await KINDS[kind].filter(id__in=kind_ids).values_list("id", flat=True)
            if kind_ids
            else []
        )
        existing[kind] = {str(i) for i in found}
    changes = []
    for row in rows:
        values = shown[row.kind].get(row.entity_id)
        change = ContentChange(
            type=ContentKind(row.kind),
            key=stable_key(row.kind, row.entity_id),
            slug=row.slug,
            changed_at=row.changed_at,
            removed=None,
            tool=None,
            reviewer=None,
            comparison_row=None,
        )
        if values is None:
            if Position(row.tx, row.seq) <= origin:
                continue
            gone = row.entity_id not in existing[row.kind]
            reason = RemovalReason.DELETED if gone else RemovalReason.UNPUBLISHED
            change.removed = Tombstone(reason=reason, removed_at=row.changed_at)
        elif row.kind == "comparisons":
            change.comparison_row = ComparisonRow.read(values)
            change.slug = change.comparison_row.slug
        elif row.kind == "tools":
            tool = ToolRow.read(values)
            loaders.tool_by_id.prime(tool.id, tool)
            change.tool = ToolType.from_row(tool)
            change.slug = tool.slug
        else:
            reviewer = ReviewerRow.read(values)
            change.reviewer = ReviewerType.from_row(reviewer)
            change.slug = reviewer.slug
        changes.append(change)
    return changes


async def tallies_of(slugs: list[str], statuses: frozenset[Status]) -> list[ComparisonTally]:
    """The tallies of the visible comparisons among ``slugs``, in the order given (three
    queries for the page, however many comparisons)."""
    if not slugs:
        return []
    sides: dict[str, list[str]] = {}
    shown: list[Any] = await Comparison.filter(slug__in=slugs, **visible(statuses)).values_list(
        "slug", flat=True
    )
    for slug in shown:
        sides[str(slug)] = []
    side_rows: list[Any] = await (
        ComparisonSide.filter(comparison__slug__in=list(sides), **visible(statuses, "tool__status"))
        .order_by("comparison_id", "position", "id")
        .values_list("comparison__slug", "tool__slug")
    )
    for comparison_slug, tool_slug in side_rows:
        sides[str(comparison_slug)].append(str(tool_slug))
    counts: dict[tuple[str, str], int] = {}
    tally_rows: list[Any] = await VoteTally.filter(comparison_slug__in=list(sides)).values_list(
        "comparison_slug", "tool_slug", "count"
    )
    for comparison_slug, tool_slug, count in tally_rows:
        counts[(str(comparison_slug), str(tool_slug))] = int(count)
    return [
        ComparisonTally.from_tallies(
            Tallies(slug, tuple(SideCount(t, counts.get((slug, t), 0)) for t in sides[slug]))
        )
        for slug in slugs
        if slug in sides
    ]
