"""Argument types shared by the `verdict` commands: refused values get argparse's usage error."""

from __future__ import annotations

import argparse


def positive(raw: str) -> float:
    """A positive number of seconds (or any positive float)."""
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {raw!r}")
    return value


def workers(raw: str) -> int:
    """A count of worker processes, 1 to 64."""
    if not raw.isdigit() or not 1 <= int(raw) <= 64:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 64: {raw!r}")
    return int(raw)


def page_size(raw: str) -> int:
    """Entries per CMS request, 1 to 10000."""
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 10000: {raw!r}")
    return int(raw)
