"""Debian's Chromium driven by Playwright (never Playwright's own browser downloads)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Final

import pytest

from tests.support.services import IN_CI

CHROMIUM: Final = os.environ.get("VERDICT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> str:
    """The Chromium binary; skipped locally without it, a failure under CI."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: apt-get install -y chromium"
        if IN_CI:
            pytest.fail(f"{message} (required under CI)", pytrace=False)
        pytest.skip(message)
    return CHROMIUM
