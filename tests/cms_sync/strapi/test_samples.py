"""The demo's sample content loaded into a real Strapi: once, with its links and statuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cms_sync.strapi.provision import provision
from cms_sync.strapi.source import StrapiSource
from tests.support.strapi_content import running_strapi

pytestmark = pytest.mark.strapi


async def test_sample_content_loads_once_with_links_and_statuses(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Into a Strapi of its own (the samples load only into one without tools)."""
    async with running_strapi(tmp_path_factory.mktemp("strapi-samples")) as server:
        result = await provision(
            server.url,
            server.admin_email,
            server.admin_password,
            webhook_url=None,
            webhook_secret=None,
            with_sample_content=True,
        )
        assert "created 15 sample comparison_sides" in result.changes
        again = await provision(
            server.url,
            server.admin_email,
            server.admin_password,
            webhook_url=None,
            webhook_secret=None,
            with_sample_content=True,
        )
        assert again.changes == ()
        async with StrapiSource(server.url, result.worker_token) as source:
            sides = [
                e
                async for page in source.changed("comparison_sides", None, datetime.now(UTC))
                for e in page
            ]
            assert len(sides) == 15
            assert all(s["comparison"] and s["tool"] for s in sides)
            reviews = [
                e async for page in source.changed("reviews", None, datetime.now(UTC)) for e in page
            ]
            assert len(reviews) == 44
            assert {r["status"] for r in reviews} <= {"published", "draft"}
            assert all(r["tool"] and r["reviewer"] for r in reviews)
