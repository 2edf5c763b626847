"""Argument types of the `verdict` commands: a bad value is argparse's usage error, not a crash."""

from __future__ import annotations

import argparse

import pytest

from verdict_cli.options import page_size, positive, workers


def test_positive() -> None:
    assert positive("0.5") == 0.5
    for raw in ("0", "-1", "x", "nan-ish", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            positive(raw)


@pytest.mark.parametrize(("parse", "low", "high"), [(workers, 1, 64), (page_size, 1, 10_000)])
def test_whole_numbers_in_range(parse: object, low: int, high: int) -> None:
    assert callable(parse)
    assert parse(str(low)) == low
    assert parse(str(high)) == high
    for raw in (str(low - 1), str(high + 1), "1.5", "-3", "ten", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            parse(raw)
