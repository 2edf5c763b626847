from __future__ import annotations

from dataclasses import dataclass

import pytest

from verdict.figures import (
    PanelVerdictFigure,
    counted_panel,
    panel_counts,
    panel_verdict,
    reviewer_split,
    ship_percent,
    vote_share,
)


@pytest.mark.parametrize(
    ("ship", "total", "expected"),
    [(4, 4, 100), (0, 4, 0), (1, 3, 33), (2, 3, 67), (1, 2, 50), (1, 8, 13), (0, 0, None)],
)
def test_ship_percent_rounds_half_up(ship: int, total: int, expected: int | None) -> None:
    assert ship_percent(ship, total) == expected


@pytest.mark.parametrize(
    ("percents", "favoured", "margin"),
    [
        ([50, 0, 75], 2, 25),
        ([100, 100], None, 0),
        ([25, 50], 1, 25),
        ([75, 75, 100], 2, 25),
        ([100, 100, 50], None, 0),
        ([None, 40, 10], 1, 30),
    ],
)
def test_panel_verdict_favours_the_top_side_by_its_lead(
    percents: list[int | None], favoured: int | None, margin: int
) -> None:
    figure = panel_verdict(percents)
    assert figure == PanelVerdictFigure(favoured=favoured, margin=margin)


@pytest.mark.parametrize("percents", [[], [80], [None, 80], [None, None]])
def test_no_panel_verdict_with_fewer_than_two_reviewed_sides(percents: list[int | None]) -> None:
    assert panel_verdict(percents) is None


def test_vote_share_is_null_without_votes() -> None:
    assert vote_share(0, 0) is None
    assert [vote_share(1, 3), vote_share(2, 3)] == [33, 67]


@dataclass(frozen=True)
class _Review:
    reviewer_id: str
    tool: str


def test_reviewer_split_has_a_row_per_reviewer_and_a_cell_per_side() -> None:
    rank = {"1": 2, "2": 0, "3": 1}  # reviewer 2 comes first in panel order, then 3, then 1
    a1, a2 = _Review("1", "a"), _Review("2", "a")
    b2, b3 = _Review("2", "b"), _Review("3", "b")
    rows = reviewer_split([[a1, a2], [b2, b3]], lambda r: (rank[r.reviewer_id], "", ""))
    assert rows == [[a2, b2], [None, b3], [a1, None]]


def test_counted_panel_agrees_with_counting_each_verdict() -> None:
    """The database's (verdict, count) pairs give what counting each review gives."""
    verdicts = ["ship", "skip", "ship", "ship", "skip"]
    assert panel_counts(verdicts) == counted_panel([("ship", 3), ("skip", 2)]) == (3, 2)
    assert counted_panel([]) == panel_counts([]) == (0, 0)
    # Anything but ship is a skip, both ways.
    assert counted_panel([("ship", 1), ("maybe", 2)]) == panel_counts(["ship", "maybe", "x"])
