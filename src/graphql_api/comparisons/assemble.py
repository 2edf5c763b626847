"""Every ``Comparison`` the API answers is built here, from loader rows and the selection.

A resolver that returns comparisons (``comparison``, ``comparisons``, ``node``,
``Tool.comparisons``) hands its rows to ``comparisons`` (or ``one``) with the ``Needs`` that
``LOOKAHEAD`` derives from the operation. The assembler loads what those figures need, once for
all the comparisons (``figures.load``), and builds each ``ComparisonType`` with every selected
figure computed; it is the only code that can make one (``types.Assembled``).

Adding a figure: define the computation in ``verdict/figures.py``, then add one line to
``COMPARISON_FIGURES`` (a field of ``Comparison``) or ``SIDE_FIGURES`` (a field of
``ComparisonSide``) naming the loader it reads. ``tests/graphql_api/comparisons/test_assemble.py``
walks the schema: a figure field missing from these tables, or one of them that no longer exists,
fails it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from graphql_api.comparisons.figures import Loaded, Needs, Read, load
from graphql_api.comparisons.types import Assembled, ComparisonSideType, ComparisonType
from graphql_api.comparisons.verdicts import (
    PanelOutcome,
    PanelVerdict,
    ReviewerSideTake,
    ReviewerSplitRow,
)
from graphql_api.context import Info
from graphql_api.engine.lookahead import Fields, Fragments, Lookahead, children
from graphql_api.relay.node import encode_id
from graphql_api.reviewers.types import ReviewerType, ReviewType, verdict_of
from graphql_api.rows import NO_REVIEWS, ComparisonRow, PanelCounts, ReviewRow, SideRow
from graphql_api.tools.types import ToolType
from verdict.figures import panel_verdict, reviewer_split, ship_percent, vote_share

_PROOF: Final = Assembled()


class Source(Enum):
    """What a figure is computed from."""

    SIDES = "sides"
    """The sides and their tools (every figure reads them)."""
    REVIEWS = "reviews"
    """The panel's review rows (they give the counts too)."""
    COUNTS = "counts"
    """The panel's ship and skip counts per tool (counted by the database unless the review
    rows are read anyway)."""
    TALLIES = "tallies"
    """The community vote tallies."""


@dataclass(frozen=True, slots=True)
class _Built:
    """One comparison's loaded rows, with what its figures share: one type per reviewer, the
    sides once built, the total of its votes."""

    loaded: Loaded
    reviewers: dict[str, ReviewerType]
    total_votes: int
    sides: list[ComparisonSideType]


SIDE_FIGURES: Final[Mapping[str, Source]] = {
    "position": Source.SIDES,
    "tool": Source.SIDES,
    "pricingEntry": Source.SIDES,
    "reviews": Source.REVIEWS,
    "panelShipCount": Source.COUNTS,
    "panelSkipCount": Source.COUNTS,
    "panelShipPercent": Source.COUNTS,
    "voteCount": Source.TALLIES,
    "voteShare": Source.TALLIES,
}
"""Every field of ``ComparisonSide``, with what it is computed from."""


def _sides(built: _Built) -> list[ComparisonSideType]:
    return built.sides


def _vote_count(built: _Built) -> int:
    return built.total_votes


def _panel_verdict(built: _Built) -> PanelVerdict | None:
    # Each side's ship percent, as ``_side`` computed it from the same counts (None for every
    # side when the counts were not loaded: no verdict).
    figure = panel_verdict([side.panel_ship_percent for side in built.sides])
    if figure is None:
        return None
    favoured = built.sides[figure.favoured] if figure.favoured is not None else None
    return PanelVerdict(
        outcome=PanelOutcome.TIE if favoured is None else PanelOutcome.FAVOURS_SIDE,
        favoured_side=favoured,
        margin=figure.margin,
    )


def _reviewer_split(built: _Built) -> list[ReviewerSplitRow]:
    loaded = built.loaded
    rows = reviewer_split(loaded.reviews or [], lambda review: review.reviewer.panel_order)
    tools = [side.tool for side in built.sides]
    positions = [side.position for side in loaded.sides]
    result = []
    for row in rows:
        first = next(r for r in row if r is not None)
        takes = [
            ReviewerSideTake(
                position=position,
                tool=tool,
                verdict=verdict_of(review.verdict) if review is not None else None,
                quote=review.quote if review is not None else None,
            )
            for position, tool, review in zip(positions, tools, row, strict=True)
        ]
        result.append(ReviewerSplitRow(reviewer=_reviewer(built.reviewers, first), sides=takes))
    return result


@dataclass(frozen=True, slots=True)
class _Figure:
    source: Source
    compute: Callable[[_Built], Any]
    python_name: str
    unselected: Callable[[], Any]
    """The value of the field when the operation does not select it (never read)."""


COMPARISON_FIGURES: Final[Mapping[str, _Figure]] = {
    "sides": _Figure(Source.SIDES, _sides, "sides", list),
    "voteCount": _Figure(Source.TALLIES, _vote_count, "vote_count", int),
    "panelVerdict": _Figure(Source.COUNTS, _panel_verdict, "panel_verdict", lambda: None),
    "reviewerSplit": _Figure(Source.REVIEWS, _reviewer_split, "reviewer_split", list),
}
"""Every field of ``Comparison`` computed from loaded rows (the rest come from its own row)."""


ROW_FIELDS: Final = frozenset(
    {"id", "slug", "title", "headline", "summary", "pricingRead", "votingOpen", "publishedAt"}
    | {"updatedAt"}
)
"""The fields of ``Comparison`` read from its own row."""


def needs_of(comparison: Fields, fragments: Fragments) -> Needs:
    """What the fields selected on a Comparison need loaded."""
    figures = [name for name in comparison if name in COMPARISON_FIGURES]
    side_fields = set(children(comparison.get("sides", ()), fragments))
    verdict = children(comparison.get("panelVerdict", ()), fragments)
    side_fields |= set(children(verdict.get("favouredSide", ()), fragments))
    sources = {COMPARISON_FIGURES[name].source for name in figures}
    sources |= {SIDE_FIGURES[name] for name in side_fields if name in SIDE_FIGURES}
    reviews = Source.REVIEWS in sources
    return Needs(
        sides=bool(figures),
        reviews=reviews,
        counts=not reviews and Source.COUNTS in sources,
        tallies=Source.TALLIES in sources,
        fields=frozenset(figures),
    )


LOOKAHEAD: Final = Lookahead(needs_of)
"""``LOOKAHEAD.of_field(info)`` for a resolver returning comparisons (or a list of them),
``LOOKAHEAD.of_connection(info)`` for one returning a connection of them."""


async def comparisons(
    info: Info, rows: Sequence[ComparisonRow], needs: Needs, read: Read | None = None
) -> list[ComparisonType]:
    """The comparisons of ``rows``, in order, with every figure in ``needs`` computed (one
    batch per loader for all of them, for what ``read`` does not already hold)."""
    if not rows:
        return []
    loaded: list[Loaded | None] = [None] * len(rows)
    if needs.sides:
        keys = [(r.id, r.slug) for r in rows]
        loaded = list(await load(info.context.loaders, keys, needs, read))
    return [
        _comparison(row, figures, needs.fields) for row, figures in zip(rows, loaded, strict=True)
    ]


async def one(info: Info, row: ComparisonRow, needs: Needs) -> ComparisonType:
    """One comparison, as ``comparisons`` builds it."""
    (comparison,) = await comparisons(info, [row], needs)
    return comparison


@functools.cache
def _plan(
    selected: frozenset[str],
) -> tuple[tuple[tuple[str, Callable[[_Built], Any]], ...], dict[str, Any]]:
    """For a set of selected figures: the (python name, computation) of each, and the value of
    every other figure field (never read)."""
    computed = tuple(
        (figure.python_name, figure.compute)
        for name, figure in COMPARISON_FIGURES.items()
        if name in selected
    )
    others = {
        figure.python_name: figure.unselected
        for name, figure in COMPARISON_FIGURES.items()
        if name not in selected
    }
    return computed, others


def _comparison(
    row: ComparisonRow, loaded: Loaded | None, selected: frozenset[str]
) -> ComparisonType:
    computed, others = _plan(selected)
    values: dict[str, Any] = {name: unselected() for name, unselected in others.items()}
    if loaded is not None and computed:
        built = _built(loaded)
        for name, compute in computed:
            values[name] = compute(built)
    return ComparisonType(
        id=encode_id("Comparison", row.slug),
        db_id=row.id,
        assembled=_PROOF,
        slug=row.slug,
        title=row.title,
        headline=row.headline,
        summary=row.summary,
        pricing_read=row.pricing_read,
        voting_open=row.voting_open,
        published_at=row.published_at,
        updated_at=row.cms_updated_at,
        **values,
    )


def _built(loaded: Loaded) -> _Built:
    # One type per reviewer and one per side, shared by every figure that shows them.
    reviewers: dict[str, ReviewerType] = {}
    tallies = loaded.tallies or {}
    total = sum([tallies.get(s.tool.slug, 0) for s in loaded.sides]) if tallies else 0
    count = len(loaded.sides)
    sides = [
        _side(side, reviews, counts, reviewers, tallies, total)
        for side, reviews, counts in zip(
            loaded.sides,
            loaded.reviews if loaded.reviews is not None else [None] * count,
            loaded.counts if loaded.counts is not None else [NO_REVIEWS] * count,
            strict=True,
        )
    ]
    return _Built(loaded=loaded, reviewers=reviewers, total_votes=total, sides=sides)


def _side(
    side: SideRow,
    reviews: list[ReviewRow] | None,
    counts: PanelCounts,
    reviewers: dict[str, ReviewerType],
    tallies: dict[str, int],
    total_votes: int,
) -> ComparisonSideType:
    """One side with every figure; those whose loader was not needed are empty (they are not
    selected)."""
    tool = side.tool
    ship, skip = counts
    votes_for = tallies.get(tool.slug, 0) if tallies else 0
    return ComparisonSideType(
        position=side.position,
        tool=ToolType.from_row(tool),
        pricing_entry=tool.pricing_entry,
        reviews=[ReviewType.from_row(r, _reviewer(reviewers, r)) for r in reviews]
        if reviews
        else [],
        panel_ship_count=ship,
        panel_skip_count=skip,
        panel_ship_percent=ship_percent(ship, ship + skip),
        vote_count=votes_for,
        vote_share=vote_share(votes_for, total_votes),
    )


def _reviewer(built: dict[str, ReviewerType], review: ReviewRow) -> ReviewerType:
    reviewer = built.get(review.reviewer.id)
    if reviewer is None:
        reviewer = built[review.reviewer.id] = ReviewerType.from_row(review.reviewer)
    return reviewer
