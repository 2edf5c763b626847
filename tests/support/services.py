"""Which real services the tests run against, and the rule for a missing one: skip locally, fail
under CI (``CI=true``), so a required service is never silently skipped there."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("VERDICT_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("VERDICT_TEST_REDIS_URL", "")


def require_service(name: str, env_var: str) -> NoReturn:
    """Skip locally, fail under CI: a required service is never silently skipped there."""
    message = f"{name} not configured: set {env_var}"
    if IN_CI:
        pytest.fail(f"{message} (required under CI)", pytrace=False)
    pytest.skip(message)


def require_redis() -> str:
    """The test Redis's URL (``VERDICT_TEST_REDIS_URL``); skipped locally without it, a failure
    under CI."""
    if not REDIS_URL:
        require_service("Redis", "VERDICT_TEST_REDIS_URL")
    return REDIS_URL
