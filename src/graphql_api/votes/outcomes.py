"""What a vote mutation can come to, as plain values that can be stored for idempotent retries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verdict.figures import vote_share


@dataclass(frozen=True, slots=True)
class SideCount:
    tool_slug: str
    count: int


@dataclass(frozen=True, slots=True)
class Tallies:
    """Vote counts of a comparison's visible sides, in display order."""

    comparison_slug: str
    sides: tuple[SideCount, ...]

    @property
    def total(self) -> int:
        return sum(s.count for s in self.sides)

    def share(self, count: int) -> int | None:
        """``count``'s share of the visible sides' votes (see verdict.figures.vote_share)."""
        return vote_share(count, self.total)


@dataclass(frozen=True, slots=True)
class Voted:
    """The vote was recorded (or retracted); ``my_vote`` is the voter's pick now."""

    tallies: Tallies
    my_vote: str | None


@dataclass(frozen=True, slots=True)
class ComparisonMissing:
    comparison_slug: str


@dataclass(frozen=True, slots=True)
class ToolMissing:
    comparison_slug: str
    tool_slug: str


@dataclass(frozen=True, slots=True)
class Closed:
    comparison_slug: str


@dataclass(frozen=True, slots=True)
class Limited:
    retry_after_seconds: int


@dataclass(frozen=True, slots=True)
class KeyReused:
    idempotency_key: str


Outcome = Voted | ComparisonMissing | ToolMissing | Closed | Limited | KeyReused


def to_record(outcome: Outcome) -> dict[str, Any]:
    """A JSON-ready form of ``outcome`` for the idempotency table."""
    if isinstance(outcome, Voted):
        return {
            "kind": "voted",
            "comparison": outcome.tallies.comparison_slug,
            "sides": [[s.tool_slug, s.count] for s in outcome.tallies.sides],
            "my_vote": outcome.my_vote,
        }
    if isinstance(outcome, ComparisonMissing):
        return {"kind": "comparison_missing", "comparison": outcome.comparison_slug}
    if isinstance(outcome, ToolMissing):
        return {
            "kind": "tool_missing",
            "comparison": outcome.comparison_slug,
            "tool": outcome.tool_slug,
        }
    if isinstance(outcome, Closed):
        return {"kind": "closed", "comparison": outcome.comparison_slug}
    raise ValueError(f"{type(outcome).__name__} outcomes are not stored")


def from_record(record: dict[str, Any]) -> Outcome:
    """The outcome ``to_record`` stored."""
    kind = record["kind"]
    if kind == "voted":
        sides = tuple(SideCount(str(tool), int(count)) for tool, count in record["sides"])
        return Voted(Tallies(record["comparison"], sides), record["my_vote"])
    if kind == "comparison_missing":
        return ComparisonMissing(record["comparison"])
    if kind == "tool_missing":
        return ToolMissing(record["comparison"], record["tool"])
    if kind == "closed":
        return Closed(record["comparison"])
    raise ValueError(f"unknown stored vote outcome {kind!r}")
