"""Per-request DataLoaders: every relation the schema exposes goes through one of these.

Each batch function issues one query for all its keys (``graphql_api.reads``: plain rows as
``.values()`` gives them, joins pulling in the rows a relation always needs), and returns typed
rows in key order. Loaders that read
related rows through a join prime the loaders for those rows, so resolving them costs no query.
Only rows whose status is in ``statuses`` are returned: published, plus drafts for a preview.

Every batch records in ``deps`` the content version keys (see verdict.content_versions) of what
it read, so the response cache knows what a response depends on; the vote loaders mark the
response ``live`` instead (tallies change too often to cache).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from graphql_api.reads import (
    COMPARISONS_BY_SLUG,
    COMPARISONS_BY_TOOL,
    PANEL_COUNTS_BY_TOOL,
    PUBLIC,
    REVIEWERS_BY_SLUG,
    REVIEWS_BY_REVIEWER,
    REVIEWS_BY_TOOL,
    SIDES_BY_COMPARISON,
    TALLIES_BY_COMPARISON,
    TOOLS_BY_ID,
    TOOLS_BY_SLUG,
    VOTES_BY_VOTER,
)
from graphql_api.rows import (
    COMPARISON_FIELDS,
    NO_REVIEWS,
    ComparisonRow,
    PanelCounts,
    ReviewerRow,
    ReviewRow,
    SideRow,
    ToolRow,
)
from verdict.models.content import Status


def _side_order(side: SideRow) -> tuple[int, str]:
    """Display order: by position; the id only breaks ties, so that the order is stable."""
    return (side.position, side.id)


def _newest_first(rows: Iterable[ComparisonRow]) -> list[ComparisonRow]:
    """Newest published first; equal times by id, descending (as the listing's ``-id``)."""
    by_id = sorted(rows, key=lambda r: r.id, reverse=True)
    return sorted(by_id, key=_published, reverse=True)


def _published(row: ComparisonRow) -> float:
    return row.published_at.timestamp() if row.published_at else float("-inf")


class Loaders:
    """A fresh set per request, so nothing cached outlives it."""

    def __init__(self, statuses: frozenset[Status] = PUBLIC) -> None:
        self._statuses = statuses
        self.deps: set[str] = set()
        """Content version keys of everything read so far."""
        self.live = False
        """True once a vote tally or the voter's own vote was read."""
        self.vote_slugs: set[str] | None = set()
        """The comparisons whose tallies were read (None: possibly any, e.g. an order by votes),
        so the edge cache drops exactly the answers a vote changes."""

    def release(self) -> None:
        """Drop the DataLoaders and what they cached, once the response is built. A loader and
        its batch function (a method of this object) refer to each other: without this, a
        request's rows and futures would wait for the cycle collector."""
        for name in _LOADER_NAMES:
            self.__dict__.pop(name, None)

    def depend_on_all_votes(self) -> None:
        """What is being read depends on the votes of every comparison."""
        self.live = True
        self.vote_slugs = None

    # Each DataLoader is made on first use: a request touches two or three of them.
    @cached_property
    def tool_by_id(self) -> DataLoader[str, ToolRow | None]:
        return DataLoader(load_fn=self._tools_by_id)

    @cached_property
    def tool_by_slug(self) -> DataLoader[str, ToolRow | None]:
        return DataLoader(load_fn=self._tools_by_slug)

    @cached_property
    def reviewer_by_slug(self) -> DataLoader[str, ReviewerRow | None]:
        return DataLoader(load_fn=self._reviewers_by_slug)

    @cached_property
    def reviews_by_tool(self) -> DataLoader[str, list[ReviewRow]]:
        return DataLoader(load_fn=self._reviews_by_tool)

    @cached_property
    def panel_counts_by_tool(self) -> DataLoader[str, PanelCounts]:
        return DataLoader(load_fn=self._panel_counts_by_tool)

    @cached_property
    def reviews_by_reviewer(self) -> DataLoader[str, list[ReviewRow]]:
        return DataLoader(load_fn=self._reviews_by_reviewer)

    @cached_property
    def comparison_by_slug(self) -> DataLoader[str, ComparisonRow | None]:
        return DataLoader(load_fn=self._comparisons_by_slug)

    @cached_property
    def sides_by_comparison(self) -> DataLoader[str, list[SideRow]]:
        return DataLoader(load_fn=self._sides_by_comparison)

    @cached_property
    def comparisons_by_tool(self) -> DataLoader[str, list[ComparisonRow]]:
        return DataLoader(load_fn=self._comparisons_by_tool)

    @cached_property
    def tallies_by_comparison(self) -> DataLoader[str, dict[str, int]]:
        return DataLoader(load_fn=self._tallies_by_comparison)

    @cached_property
    def my_vote(self) -> DataLoader[tuple[str, str], str | None]:
        return DataLoader(load_fn=self._my_votes)

    def _depend(self, collection: str, ids: list[str], missing: bool) -> None:
        """Depend on the rows found, and on the whole collection when a key found nothing."""
        self.deps.update(f"{collection}:{i}" for i in ids)
        if missing:
            self.deps.add(collection)

    async def _tools_by_id(self, ids: Sequence[str]) -> list[ToolRow | None]:
        rows = await TOOLS_BY_ID.fetch(self._statuses, ids)
        found = {r["id"]: ToolRow.read(r) for r in rows}
        self.deps.update(f"tools:{i}" for i in ids)
        return [found.get(i) for i in ids]

    async def _tools_by_slug(self, slugs: Sequence[str]) -> list[ToolRow | None]:
        rows = await TOOLS_BY_SLUG.fetch(self._statuses, slugs)
        found = {r["slug"]: ToolRow.read(r) for r in rows}
        for tool in found.values():
            self.tool_by_id.prime(tool.id, tool)
        self._depend("tools", [t.id for t in found.values()], len(found) < len(set(slugs)))
        return [found.get(s) for s in slugs]

    async def _reviewers_by_slug(self, slugs: Sequence[str]) -> list[ReviewerRow | None]:
        rows = await REVIEWERS_BY_SLUG.fetch(self._statuses, slugs)
        found = {r["slug"]: ReviewerRow.read(r) for r in rows}
        self._depend("reviewers", [r.id for r in found.values()], len(found) < len(set(slugs)))
        return [found.get(s) for s in slugs]

    async def _reviews_by_tool(self, tool_ids: Sequence[str]) -> list[list[ReviewRow]]:
        """Published reviews by published reviewers, in panel order (lens, name, id)."""
        rows = await REVIEWS_BY_TOOL.fetch(self._statuses, tool_ids)
        grouped: dict[str, list[ReviewRow]] = defaultdict(list)
        # A listing's ~500 reviews come from a panel of ~12: each reviewer is read once.
        reviewers: dict[str, ReviewerRow] = {}
        for r in rows:
            reviewer = reviewers.get(r["reviewer_id"])
            if reviewer is None:
                reviewer = reviewers[r["reviewer_id"]] = ReviewerRow.read(r, "reviewer__")
            grouped[r["tool_id"]].append(ReviewRow.read(r, reviewer))
        self.deps.update(f"reviewers:{i}" for i in reviewers)
        self.deps.update(f"tools:{i}" for i in tool_ids)
        for group in grouped.values():
            group.sort(key=lambda review: review.reviewer.panel_order)
        return [grouped.get(i, []) for i in tool_ids]

    async def _panel_counts_by_tool(self, tool_ids: Sequence[str]) -> list[PanelCounts]:
        """(ship, skip) counts of the published reviews by published reviewers, counted in the
        database: a listing's panel figures need ~90 rows, not its ~500 reviews."""
        counts = PanelCounts.by_tool(await PANEL_COUNTS_BY_TOOL.fetch(self._statuses, tool_ids))
        # A review, or a reviewer leaving the panel, bumps the tools reviewed
        # (cms_sync.invalidation): the counts depend on the tools alone.
        self.deps.update(f"tools:{i}" for i in tool_ids)
        return [counts.get(i, NO_REVIEWS) for i in tool_ids]

    async def _reviews_by_reviewer(self, reviewer_ids: Sequence[str]) -> list[list[ReviewRow]]:
        """Published reviews of published tools, newest first, with the tool read alongside."""
        rows = await REVIEWS_BY_REVIEWER.fetch(self._statuses, reviewer_ids)
        grouped: dict[str, list[ReviewRow]] = defaultdict(list)
        for r in rows:
            reviewer = ReviewerRow.read(r, "reviewer__")
            tool = ToolRow.read(r, "tool__")
            self.tool_by_id.prime(tool.id, tool)
            grouped[r["reviewer_id"]].append(ReviewRow.read(r, reviewer, tool))
            self.deps.add(f"tools:{tool.id}")
        self.deps.update(f"reviewers:{i}" for i in reviewer_ids)
        return [grouped.get(i, []) for i in reviewer_ids]

    async def _comparisons_by_slug(self, slugs: Sequence[str]) -> list[ComparisonRow | None]:
        """Published comparisons with their sides and tools, in one joined query."""
        rows = await COMPARISONS_BY_SLUG.fetch(self._statuses, slugs)
        found: dict[str, ComparisonRow] = {}
        sides: dict[str, list[SideRow]] = defaultdict(list)
        for r in rows:
            comparison = found.get(r["slug"]) or ComparisonRow.read(r)
            found[comparison.slug] = comparison
            if r["sides__id"] is not None and r["sides__tool__status"] in self._statuses:
                sides[comparison.id].append(_side(r, comparison.id, "sides__"))
        for comparison in found.values():
            self.sides_by_comparison.prime(
                comparison.id, sorted(sides[comparison.id], key=_side_order)
            )
            self.deps.update(f"tools:{side.tool.id}" for side in sides[comparison.id])
        missing = len(found) < len(set(slugs))
        self._depend("comparisons", [c.id for c in found.values()], missing)
        return [found.get(s) for s in slugs]

    async def _sides_by_comparison(self, ids: Sequence[str]) -> list[list[SideRow]]:
        """Sides in display order, leaving out tools that are not published."""
        rows = await SIDES_BY_COMPARISON.fetch(self._statuses, ids)
        grouped: dict[str, list[SideRow]] = defaultdict(list)
        for r in rows:
            grouped[r["comparison_id"]].append(_side(r, r["comparison_id"]))
            self.deps.add(f"tools:{r['tool__id']}")
        self.deps.update(f"comparisons:{i}" for i in ids)
        return [sorted(grouped.get(i, []), key=_side_order) for i in ids]

    async def _comparisons_by_tool(self, tool_ids: Sequence[str]) -> list[list[ComparisonRow]]:
        """Published comparisons each tool appears on, newest first."""
        rows = await COMPARISONS_BY_TOOL.fetch(self._statuses, tool_ids)
        grouped: dict[str, dict[str, ComparisonRow]] = defaultdict(dict)
        for r in rows:
            comparison = ComparisonRow.read({f: r[f"comparison__{f}"] for f in COMPARISON_FIELDS})
            grouped[r["tool_id"]][comparison.id] = comparison
            self.deps.add(f"comparisons:{comparison.id}")
        self.deps.update(f"tools:{i}" for i in tool_ids)
        return [_newest_first(grouped[i].values()) for i in tool_ids]

    async def _tallies_by_comparison(self, slugs: Sequence[str]) -> list[dict[str, int]]:
        """Community vote counts per tool slug, from the tallies the voting code maintains."""
        self.live = True
        if self.vote_slugs is not None:
            self.vote_slugs.update(slugs)
        rows = await TALLIES_BY_COMPARISON.fetch(None, slugs)
        grouped: dict[str, dict[str, int]] = defaultdict(dict)
        for r in rows:
            grouped[r["comparison_slug"]][r["tool_slug"]] = int(r["count"])
        return [grouped.get(s, {}) for s in slugs]

    async def _my_votes(self, keys: Sequence[tuple[str, str]]) -> list[str | None]:
        """The tool slug each (voter id, comparison slug) voted for, or None."""
        self.live = True
        rows = await VOTES_BY_VOTER.fetch(
            None, list({v for v, _ in keys}), list({c for _, c in keys})
        )
        found = {(r["voter_id"], r["comparison_slug"]): r["tool_slug"] for r in rows}
        return [found.get(k) for k in keys]


_LOADER_NAMES = tuple(
    name for name, value in vars(Loaders).items() if isinstance(value, cached_property)
)


def _side(values: dict[str, Any], comparison_id: str, prefix: str = "") -> SideRow:
    return SideRow(
        id=values[prefix + "id"],
        comparison_id=comparison_id,
        position=values[prefix + "position"],
        tool=ToolRow.read(values, prefix + "tool__"),
    )
