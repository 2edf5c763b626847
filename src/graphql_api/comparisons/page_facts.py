"""What a comparison page's structured data and share card show, read through the loaders.

Both are built from the same facts: the comparison, its sides' tools, the panel's published
reviews of each tool, each side's panel ship percentage and the panel's verdict. The community
vote is left out on purpose: it is a poll, not a rating (see docs/structured-data.md), and it
changes without a content sync, so nothing built from these facts goes stale with a vote.

Read through a ``Loaders``, so ``loaders.deps`` afterwards holds the content version keys of
everything read: the same keys the page's own GraphQL answer depends on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import orjson

from graphql_api.comparisons.figures import load_all
from graphql_api.loaders import Loaders
from graphql_api.reads import read_versions
from graphql_api.rows import ComparisonRow, PanelCounts, ReviewRow, ToolRow
from verdict.figures import panel_verdict, ship_percent


@dataclass(frozen=True, slots=True)
class SideFacts:
    position: int
    tool: ToolRow
    reviews: tuple[ReviewRow, ...]
    """The panel's published reviews of the tool, in panel order."""
    ship_percent: int | None
    """The panel's ship percentage; None when the panel has not reviewed the tool."""


@dataclass(frozen=True, slots=True)
class PageFacts:
    comparison: ComparisonRow
    sides: tuple[SideFacts, ...]
    favoured: int | None
    """Index in ``sides`` of the side the panel favours; None on a tie or with no verdict."""
    margin: int | None
    """The favoured side's lead in percentage points (0 on a tie); None with no verdict."""

    @property
    def verdict_text(self) -> str:
        """The panel's verdict in a short line, as the card and the page description show it."""
        if self.margin is None:
            return "Not enough panel reviews for a verdict yet"
        if self.favoured is None:
            return "A tie: the panel rates the sides the same"
        side = self.sides[self.favoured]
        return f"The panel favours {side.tool.name} by {self.margin} points"

    def card_digest(self) -> str:
        """A short hash of everything the share card draws: it changes exactly when the picture
        does, so it versions the card's URL (``?v=``) for crawlers that keep images."""
        material = orjson.dumps(
            [
                self.comparison.title,
                self.verdict_text,
                [(s.tool.name, s.tool.vendor, s.ship_percent) for s in self.sides],
            ]
        )
        return hashlib.sha256(material).hexdigest()[:16]


async def page_facts(loaders: Loaders, slug: str) -> PageFacts | None:
    """The facts of the published comparison ``slug``; None when there is none."""
    comparison = await loaders.comparison_by_slug.load(slug)
    if comparison is None:
        return None
    sides = await loaders.sides_by_comparison.load(comparison.id)
    reviews = await load_all(loaders.reviews_by_tool, [s.tool.id for s in sides])
    percents = []
    built = []
    for side, rows in zip(sides, reviews, strict=True):
        counts = PanelCounts.of_reviews(rows)
        percent = ship_percent(counts.ship, counts.total)
        percents.append(percent)
        ordered = tuple(sorted(rows, key=lambda r: r.reviewer.panel_order))
        built.append(SideFacts(side.position, side.tool, ordered, percent))
    figure = panel_verdict(percents)
    return PageFacts(
        comparison=comparison,
        sides=tuple(built),
        favoured=figure.favoured if figure is not None else None,
        margin=figure.margin if figure is not None else None,
    )


async def content_stamp(deps: set[str]) -> str:
    """One value for the current versions of ``deps``: it changes whenever any of them is
    bumped (the sync bumps them in the same transaction as the content)."""
    versions = await read_versions(deps)
    return hashlib.sha256(orjson.dumps(versions, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]
