"""Fixtures for sync tests: a fake Directus on loopback and a source reading it."""

from __future__ import annotations

import pytest

from cms_sync.directus.source import DirectusSource
from cms_sync.http import HttpLimits, RetryPolicy
from tests.support.fake_directus import TOKEN, FakeDirectus, SleepRecorder, SourceFactory


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def directus(fake: FakeDirectus, sleeps: SleepRecorder) -> SourceFactory:
    """Build a DirectusSource on the fake: small pages, short timeouts, recorded back-off."""

    def build(
        *, page_size: int = 2, timeout: float = 5.0, attempts: int = 4, token: str = TOKEN
    ) -> DirectusSource:
        return DirectusSource(
            fake.url,
            token,
            page_size=page_size,
            limits=HttpLimits(connections=4, total_timeout=timeout, read_timeout=timeout),
            policy=RetryPolicy(max_attempts=attempts, base_delay=0.01, max_delay=0.05),
            sleep=sleeps,
        )

    return build
