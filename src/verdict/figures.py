"""Derived panel figures: one definition each, for the API and anything that precomputes them."""

from __future__ import annotations


def ship_percent(ship: int, total: int) -> int | None:
    """Share of ship verdicts as a whole percentage, rounded half up; None with no verdicts."""
    if total <= 0:
        return None
    return (200 * ship + total) // (2 * total)
