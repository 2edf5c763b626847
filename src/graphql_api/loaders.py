"""Per-request DataLoaders: every relation the schema exposes goes through one of these.

Each batch function issues one query for all keys and returns results in key order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from verdict.models.content import ComparisonSide, Review, Reviewer, Status, Tool
from verdict.models.votes import Vote, VoteTally

LENS_ORDER = ("developer_experience", "competition", "thesis", "business")


async def _tools_by_id(ids: Sequence[int]) -> list[Tool | None]:
    rows = {t.id: t for t in await Tool.filter(id__in=list(ids), status=Status.PUBLISHED)}
    return [rows.get(i) for i in ids]


async def _reviewers_by_id(ids: Sequence[int]) -> list[Reviewer | None]:
    rows = {r.id: r for r in await Reviewer.filter(id__in=list(ids), status=Status.PUBLISHED)}
    return [rows.get(i) for i in ids]


async def _reviews_by_tool_id(tool_ids: Sequence[int]) -> list[list[Review]]:
    """Published reviews by published reviewers, ordered by the reviewer's lens then name."""
    reviews = (
        await Review.filter(
            tool_id__in=list(tool_ids),
            status=Status.PUBLISHED,
            reviewer__status=Status.PUBLISHED,
        )
        .select_related("reviewer")
        .all()
    )
    grouped: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        grouped[review.tool_id].append(review)
    for group in grouped.values():
        group.sort(key=lambda r: (LENS_ORDER.index(r.reviewer.lens), r.reviewer.name, r.id))
    return [grouped.get(i, []) for i in tool_ids]


async def _sides_by_comparison_id(ids: Sequence[int]) -> list[list[ComparisonSide]]:
    """Sides in display order, leaving out tools that are not published."""
    sides = await ComparisonSide.filter(
        comparison_id__in=list(ids), tool__status=Status.PUBLISHED
    ).order_by("position", "id")
    grouped: dict[int, list[ComparisonSide]] = defaultdict(list)
    for side in sides:
        grouped[side.comparison_id].append(side)
    return [grouped.get(i, []) for i in ids]


async def _tallies_by_comparison_slug(slugs: Sequence[str]) -> list[dict[str, int]]:
    """Vote counts by tool slug, for every tool ever voted on (visible or not)."""
    rows = await VoteTally.filter(comparison_slug__in=list(slugs)).values_list(
        "comparison_slug", "tool_slug", "count"
    )
    grouped: dict[str, dict[str, int]] = defaultdict(dict)
    for comparison_slug, tool_slug, count in rows:
        grouped[str(comparison_slug)][str(tool_slug)] = int(count)
    return [grouped.get(s, {}) for s in slugs]


async def _votes_by_voter_and_comparison(keys: Sequence[tuple[str, str]]) -> list[str | None]:
    """The tool slug each (voter, comparison slug) voted for, or None."""
    rows = await Vote.filter(
        voter_id__in=list({v for v, _ in keys}), comparison_slug__in=list({c for _, c in keys})
    ).values_list("voter_id", "comparison_slug", "tool_slug")
    found = {(str(v), str(c)): str(t) for v, c, t in rows}
    return [found.get(k) for k in keys]


@dataclass(slots=True)
class Loaders:
    """A fresh set per request, so nothing cached outlives it."""

    tool: DataLoader[int, Tool | None] = field(
        default_factory=lambda: DataLoader(load_fn=_tools_by_id)
    )
    reviewer: DataLoader[int, Reviewer | None] = field(
        default_factory=lambda: DataLoader(load_fn=_reviewers_by_id)
    )
    reviews_by_tool: DataLoader[int, list[Review]] = field(
        default_factory=lambda: DataLoader(load_fn=_reviews_by_tool_id)
    )
    sides_by_comparison: DataLoader[int, list[ComparisonSide]] = field(
        default_factory=lambda: DataLoader(load_fn=_sides_by_comparison_id)
    )
    vote_tallies: DataLoader[str, dict[str, int]] = field(
        default_factory=lambda: DataLoader(load_fn=_tallies_by_comparison_slug)
    )
    my_vote: DataLoader[tuple[str, str], str | None] = field(
        default_factory=lambda: DataLoader(load_fn=_votes_by_voter_and_comparison)
    )
