"""The Contentful stand-in for tests, and a ContentfulSource reading it."""

from __future__ import annotations

from collections.abc import Callable

from cms_sync.contentful.source import ContentfulSource
from cms_sync.http import HttpLimits, RetryPolicy
from devtools.contentful_standin import ContentfulStandin
from tests.support.fake_directus import SleepRecorder

ContentfulFactory = Callable[..., ContentfulSource]


def contentful_source(
    standin: ContentfulStandin,
    *,
    page_size: int = 2,
    token: str | None = None,
    space_id: str | None = None,
    attempts: int = 4,
    sleep: SleepRecorder | None = None,
) -> ContentfulSource:
    """A source on the stand-in: small pages, short timeouts, back-off recorded when given."""
    return ContentfulSource(
        space_id or standin.space_id,
        token or standin.token,
        environment=standin.environment,
        base_url=standin.url,
        page_size=page_size,
        limits=HttpLimits(connections=4, total_timeout=10, read_timeout=10),
        policy=RetryPolicy(max_attempts=attempts, base_delay=0.01, max_delay=0.05),
        sleep=sleep,
    )
