"""Vote outcomes as stored for idempotent retries: each stored kind reads back equal through JSON;
rate limits and reused keys are never stored; shares follow the visible sides."""

from __future__ import annotations

import json

import pytest

from graphql_api.votes.outcomes import (
    Closed,
    ComparisonMissing,
    KeyReused,
    Limited,
    Outcome,
    SideCount,
    Tallies,
    ToolMissing,
    Voted,
    from_record,
    to_record,
)

TALLIES = Tallies("a-vs-b", (SideCount("a", 2), SideCount("b", 1)))


@pytest.mark.parametrize(
    "outcome",
    [
        Voted(TALLIES, "a"),
        Voted(Tallies("a-vs-b", ()), None),
        ComparisonMissing("gone"),
        ToolMissing("a-vs-b", "c"),
        Closed("a-vs-b"),
    ],
)
def test_a_stored_outcome_reads_back_equal_through_json(outcome: Outcome) -> None:
    assert from_record(json.loads(json.dumps(to_record(outcome)))) == outcome


@pytest.mark.parametrize("outcome", [Limited(30), KeyReused("k-1")])
def test_rate_limits_and_reused_keys_are_not_stored(outcome: Outcome) -> None:
    with pytest.raises(ValueError, match="outcomes are not stored"):
        to_record(outcome)


def test_shares_are_of_the_visible_sides_total() -> None:
    assert TALLIES.total == 3
    assert (TALLIES.share(2), TALLIES.share(1)) == (67, 33)
    assert Tallies("a-vs-b", ()).share(0) is None
