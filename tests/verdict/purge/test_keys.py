"""Surrogate key naming: what an answer carries and a purge names."""

from __future__ import annotations

from verdict.purge import keys


def test_content_keys_are_the_version_keys_without_the_global_one() -> None:
    assert keys.for_content({"*", "tools", "tools:3", "comparisons:1"}) == [
        "comparisons:1",
        "tools",
        "tools:3",
    ]


def test_answer_keys_add_tallies() -> None:
    assert keys.for_answer({"comparisons:1"}, {"a"}, votes=True) == ["comparisons:1", "tally:a"]
    assert keys.for_answer({"comparisons:1"}, None, votes=True) == ["comparisons:1", "tallies"]
    assert keys.for_answer({"comparisons:1"}, {"a"}, votes=False) == ["comparisons:1"]
    assert keys.for_vote("a") == ["tally:a", "tallies"]


def test_a_slug_that_would_split_in_the_header_is_left_out() -> None:
    assert keys.for_answer(set(), {"a b", "c,d", "ok"}, votes=True) == ["tally:ok"]
