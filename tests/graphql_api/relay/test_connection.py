"""Connections page through cursors: the frontend's comparison listing walked to its end, on SQLite
and PostgreSQL."""

from __future__ import annotations

import httpx

from tests.support.queries import (
    COMPARISON_LISTING,
    THREE_WAY,
    walk,
)


async def test_comparison_listing_walks_to_its_end_through_cursors(
    client: httpx.AsyncClient,
) -> None:
    slugs, pages = await walk(client, COMPARISON_LISTING, "comparisons", {"first": 4})
    assert pages == 2
    assert slugs == [
        "mistral-code-vs-forge-coder",
        "cadence-write-vs-quillmate",
        THREE_WAY,
        "forge-coder-vs-stackline-coder-2",
        "tessellate-review-vs-lintwise",
        "code-llama-4-vs-mistral-code",
    ]
    one_by_one, pages = await walk(client, COMPARISON_LISTING, "comparisons", {"first": 1})
    assert (one_by_one, pages) == (slugs, 6)
