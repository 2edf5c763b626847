from __future__ import annotations

import pytest

from verdict.figures import ship_percent


@pytest.mark.parametrize(
    ("ship", "total", "expected"),
    [(4, 4, 100), (0, 4, 0), (1, 3, 33), (2, 3, 67), (1, 2, 50), (1, 8, 13), (0, 0, None)],
)
def test_ship_percent_rounds_half_up(ship: int, total: int, expected: int | None) -> None:
    assert ship_percent(ship, total) == expected
