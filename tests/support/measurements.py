"""Figures measured by tests, which tests/e2e/conftest.py repeats in the terminal summary."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Measurements:
    """Figures measured by tests, repeated in the terminal summary (so they show without -s)."""

    figures: list[tuple[str, float]] = field(default_factory=list)

    def add(self, name: str, seconds: float) -> None:
        self.figures.append((name, seconds))
