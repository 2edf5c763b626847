"""Typed values from the environment: the default when unset or empty, the value when sane, and one
clear ConfigError naming the variable otherwise."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verdict.env_values import ConfigError, env_count, env_gc_threshold, env_seconds


def test_unset_or_empty_gives_the_default() -> None:
    for env in ({}, {"X": ""}):
        assert env_seconds(env, "X", 1.5) == 1.5
        assert env_count(env, "X", 7, minimum=3) == 7
        assert env_gc_threshold(env, "X", (1, 2, 3)) == (1, 2, 3)


def test_sane_values_are_read() -> None:
    assert env_seconds({"X": "0.25"}, "X", 1.0) == 0.25
    assert env_count({"X": "0"}, "X", 5) == 0
    assert env_count({"X": "12"}, "X", 5, minimum=12) == 12
    assert env_gc_threshold({"X": "20000, 50,100"}, "X", (1, 1, 1)) == (20000, 50, 100)


@pytest.mark.parametrize(
    ("read", "fragment"),
    [
        (
            lambda: env_seconds({"X": "soon"}, "X", 1.0),
            "X must be a number of seconds (got 'soon')",
        ),
        (lambda: env_seconds({"X": "0"}, "X", 1.0), "X must be a positive number of seconds"),
        (lambda: env_seconds({"X": "nan"}, "X", 1.0), "X must be a positive number of seconds"),
        (lambda: env_seconds({"X": "1e9"}, "X", 1.0), "X must be a positive number of seconds"),
        (lambda: env_count({"X": "2.5"}, "X", 1), "X must be a whole number (got '2.5')"),
        (lambda: env_count({"X": "1"}, "X", 5, minimum=2), "X must be at least 2 (got '1')"),
        (lambda: env_gc_threshold({"X": "1,2"}, "X", (1, 1, 1)), "X must be three positive"),
        (lambda: env_gc_threshold({"X": "1,0,3"}, "X", (1, 1, 1)), "X must be three positive"),
        (lambda: env_gc_threshold({"X": "1,-2,3"}, "X", (1, 1, 1)), "X must be three positive"),
    ],
)
def test_a_bad_value_is_one_clear_error(read: Callable[[], object], fragment: str) -> None:
    with pytest.raises(ConfigError) as raised:
        read()
    assert fragment in str(raised.value)
    assert "\n" not in str(raised.value)
