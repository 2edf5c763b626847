"""Derived panel figures: one definition each, for the API and anything that precomputes them.

Every figure is a pure function of the published content (and, for votes, of the tallies), with
ties broken by stable keys, so syncing the same content again never changes a figure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar


def whole_percent(part: int, total: int) -> int | None:
    """``part`` of ``total`` as a whole percentage, rounded half up; None when total is zero."""
    if total <= 0:
        return None
    return (200 * part + total) // (2 * total)


def panel_counts(verdicts: Iterable[str]) -> tuple[int, int]:
    """(ship, skip) counts of a tool's published panel verdicts (``ship`` / ``skip`` values)."""
    return counted_panel((verdict, 1) for verdict in verdicts)


def counted_panel(counted: Iterable[tuple[str, int]]) -> tuple[int, int]:
    """(ship, skip) from (verdict, number of reviews) pairs, as counted by a database: any
    verdict but ``ship`` counts as a skip, as in ``panel_counts``."""
    ship = skip = 0
    for verdict, number in counted:
        if verdict == "ship":
            ship += number
        else:
            skip += number
    return ship, skip


def ship_percent(ship: int, total: int) -> int | None:
    """Share of ship verdicts as a whole percentage, rounded half up; None with no verdicts."""
    return whole_percent(ship, total)


def vote_share(count: int, total: int) -> int | None:
    """One side's share of a comparison's community votes, whole percent rounded half up.

    None when the comparison has no votes yet (the page shows a dash). Shares are rounded one by
    one, so on three or more sides they may add up to 99 or 101.
    """
    return whole_percent(count, total)


@dataclass(frozen=True, slots=True)
class PanelVerdictFigure:
    """Which side the panel favours: ``favoured`` is the side's index, None on a tie."""

    favoured: int | None
    margin: int


def panel_verdict(ship_percents: Sequence[int | None]) -> PanelVerdictFigure | None:
    """The panel's verdict on a comparison, from each side's rounded panel ship percentage.

    The favoured side is the one with the highest ship percentage; the margin is its lead over
    the runner-up in percentage points. When the top two are equal it is a tie (margin 0). Sides
    the panel has not reviewed (None) take no part; with fewer than two reviewed sides there is
    no verdict (None).
    """
    rated = [(percent, index) for index, percent in enumerate(ship_percents) if percent is not None]
    if len(rated) < 2:
        return None
    rated.sort(key=lambda pair: (-pair[0], pair[1]))
    (top, top_index), (runner_up, _) = rated[0], rated[1]
    if top == runner_up:
        return PanelVerdictFigure(favoured=None, margin=0)
    return PanelVerdictFigure(favoured=top_index, margin=top - runner_up)


class PanelReview(Protocol):
    @property
    def reviewer_id(self) -> str: ...


ReviewT = TypeVar("ReviewT", bound=PanelReview)


def reviewer_split(
    reviews_by_side: Sequence[Sequence[ReviewT]],
    panel_order: Callable[[ReviewT], tuple[int, str, str]],
) -> list[list[ReviewT | None]]:
    """The reviewer split: one row per reviewer who reviewed any side, in panel order.

    Each row holds that reviewer's review of each side's tool, in side order, and None where the
    reviewer has not reviewed that side's tool. ``panel_order`` gives a review's reviewer sort key
    (lens, then name, then id in the API).
    """
    first_review: dict[str, ReviewT] = {}
    by_reviewer: dict[str, list[ReviewT | None]] = {}
    for index, reviews in enumerate(reviews_by_side):
        for review in reviews:
            row = by_reviewer.setdefault(review.reviewer_id, [None] * len(reviews_by_side))
            row[index] = review
            first_review.setdefault(review.reviewer_id, review)
    order = sorted(by_reviewer, key=lambda rid: panel_order(first_review[rid]))
    return [by_reviewer[rid] for rid in order]
