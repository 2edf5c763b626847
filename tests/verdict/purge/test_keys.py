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


def test_a_text_id_that_would_split_or_break_the_header_is_digested() -> None:
    awkward = ["tools:a b", "comparisons:x,y", "reviewers:ツール", "tools:7"]
    found = keys.for_content(awkward)
    assert "tools:7" in found
    digested = [k for k in found if k != "tools:7"]
    assert len(digested) == 3
    assert all(k.isascii() and " " not in k and "," not in k for k in found)
    assert {k.split(":~")[0] for k in digested} == {"tools", "comparisons", "reviewers"}
    # The same key on the answer and on the purge.
    assert keys.for_answer(awkward, set(), votes=False) == found
    assert keys.surrogate("tools:a b") == keys.surrogate("tools:a b")
    assert keys.surrogate("tools:a b") != keys.surrogate("tools:a  b")
