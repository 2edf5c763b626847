"""Pinned SQL query counts for the frontend's queries: no N+1 can creep back in.

Each count is pinned exactly, and shown not to grow with the number of sides, reviewers or items.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from devtools.sql_counter import QueryCounter
from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from tests.support.queries import (
    COMPARISON_LISTING,
    COMPARISON_PAGE,
    REVIEWER_PAGE,
    TOOL_LISTING,
    TOOL_PAGE,
    graphql,
)
from verdict.content_versions import bump
from verdict.models.content import (
    Comparison,
    ComparisonSide,
    Lens,
    Review,
    Reviewer,
    Status,
    Verdict,
)
from verdict.models.votes import VoteTally
from verdict.settings import Settings

# comparison with sides and tools (one join), reviews with reviewers (one join), vote tallies.
COMPARISON_PAGE_QUERIES = 3
# The page joined with its sides, their tools, panel figures and vote tallies, and the versions
# behind the cached totalCount (graphql_api.comparisons.listing).
COMPARISON_LISTING_QUERIES = 1
# With no cached count yet, or once a change has made it stale: the count with its versions too.
COMPARISON_LISTING_STALE_COUNT_QUERIES = 2
# count, page, reviews (for the panel figures).
TOOL_LISTING_QUERIES = 3


@pytest.fixture
async def client(demo_db: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The API without its response cache: these counts are the resolvers' own SQL. (The cache
    adds one version read on a hit and two on a miss; see
    tests/graphql_api/caching/test_response_cache.py.)
    """
    app = create_app(demo_db, api=ApiSettings(response_cache=False), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://verdict.test") as http:
        yield http


async def _count(
    client: httpx.AsyncClient, counter: QueryCounter, query: str, variables: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    before = counter.count
    data = await graphql(client, query, variables)
    return counter.count - before, data


async def _add_comparisons(how_many: int) -> None:
    """More published comparisons, each with two sides, so a page can hold 20 items."""
    now = datetime.now(UTC)
    for n in range(how_many):
        comparison = await Comparison.create(
            id=1000 + n,
            status=Status.PUBLISHED,
            cms_updated_at=now,
            slug=f"extra-{n}",
            title=f"Extra {n}",
            headline="?",
            published_at=now - timedelta(days=30 + n),
        )
        for position, tool_id in enumerate((1 + n % 10, 1 + (n + 1) % 10), start=1):
            await ComparisonSide.create(
                id=2000 + 2 * n + position,
                comparison=comparison,
                tool_id=tool_id,
                position=position,
                cms_updated_at=now,
            )
        await VoteTally.create(comparison_slug=f"extra-{n}", tool_slug="code-llama-4", count=n)


async def _add_reviewer(reviews_of: list[int]) -> None:
    now = datetime.now(UTC)
    reviewer = await Reviewer.create(
        id=500,
        status=Status.PUBLISHED,
        cms_updated_at=now,
        slug="new",
        name="New",
        lens=Lens.THESIS,
    )
    for index, tool_id in enumerate(reviews_of):
        await Review.create(
            id=5000 + index,
            status=Status.PUBLISHED,
            cms_updated_at=now,
            reviewer=reviewer,
            tool_id=tool_id,
            verdict=Verdict.SKIP,
            quote="q",
        )


async def test_comparison_page_query_count_is_pinned(
    client: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    two, data = await _count(
        client, sql_queries, COMPARISON_PAGE, {"slug": "code-llama-4-vs-mistral-code"}
    )
    assert len(data["comparison"]["sides"]) == 2
    three, data = await _count(
        client, sql_queries, COMPARISON_PAGE, {"slug": "quillmate-vs-draftwell-vs-inkling"}
    )
    assert len(data["comparison"]["sides"]) == 3
    assert two == three == COMPARISON_PAGE_QUERIES
    # A fifth reviewer on every side: more reviews and split rows, same number of queries.
    await _add_reviewer([7, 8, 9])
    more, data = await _count(
        client, sql_queries, COMPARISON_PAGE, {"slug": "quillmate-vs-draftwell-vs-inkling"}
    )
    assert len(data["comparison"]["reviewerSplit"]) == 5
    assert more == COMPARISON_PAGE_QUERIES


async def test_listing_query_counts_do_not_grow_with_items(
    client: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    await _add_comparisons(24)
    await graphql(client, COMPARISON_LISTING, {"first": 1})  # counted once, cached from now on
    counts = {}
    for first in (2, 20):
        for order in ("NEWEST", "MOST_VOTED"):
            queries, data = await _count(
                client, sql_queries, COMPARISON_LISTING, {"first": first, "orderBy": order}
            )
            assert len(data["comparisons"]["edges"]) == first
            counts[first, order] = queries
    assert set(counts.values()) == {COMPARISON_LISTING_QUERIES}, counts
    small, data = await _count(client, sql_queries, TOOL_LISTING, {"first": 2})
    large, data = await _count(client, sql_queries, TOOL_LISTING, {"first": 20})
    assert len(data["tools"]["edges"]) == 10
    assert small == large == TOOL_LISTING_QUERIES


def _counts_all(statement: str) -> bool:
    """The listing's ``totalCount`` statement (the panel's counts are grouped by tool)."""
    return "COUNT(" in statement and "GROUP BY" not in statement.upper()


async def test_listing_counts_again_only_after_a_change(
    client: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    variables = {"first": 20, "orderBy": "NEWEST"}

    async def listing() -> tuple[int, list[str], dict[str, Any]]:
        before = sql_queries.count
        queries, data = await _count(client, sql_queries, COMPARISON_LISTING, variables)
        return queries, sql_queries.statements[before:], data

    # First request: the count with its versions. Then only the versions are read.
    first, statements, data = await listing()
    assert first == COMPARISON_LISTING_STALE_COUNT_QUERIES
    assert data["comparisons"]["totalCount"] == 6
    assert sum(_counts_all(s) for s in statements) == 1
    cached, statements, data = await listing()
    assert cached == COMPARISON_LISTING_QUERIES
    assert data["comparisons"]["totalCount"] == 6
    assert not any(_counts_all(s) for s in statements)
    await bump(["reviews"])  # not what the listing's count reads
    assert (await listing())[0] == COMPARISON_LISTING_QUERIES
    await bump(["comparisons"])
    stale, data = await _count(client, sql_queries, COMPARISON_LISTING, variables)
    assert stale == COMPARISON_LISTING_STALE_COUNT_QUERIES
    assert data["comparisons"]["totalCount"] == 6
    again, _ = await _count(client, sql_queries, COMPARISON_LISTING, variables)
    assert again == COMPARISON_LISTING_QUERIES


async def test_tool_and_reviewer_pages_query_counts(
    client: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    # tool, its reviews with reviewers, its comparisons, their sides with tools.
    one, _ = await _count(client, sql_queries, TOOL_PAGE, {"slug": "code-llama-4"})
    two, data = await _count(client, sql_queries, TOOL_PAGE, {"slug": "quillmate"})
    assert len(data["tool"]["comparisons"]) == 2
    assert one == two == 4
    # reviewer, their reviews with the tools joined in.
    queries, data = await _count(client, sql_queries, REVIEWER_PAGE, {"slug": "priya-raman"})
    assert len(data["reviewer"]["reviews"]) == 10
    assert queries == 2
