"""The share tags and cards read in a fixed number of SQL statements, whatever the side count."""

from __future__ import annotations

import httpx

from devtools.sql_counter import QueryCounter

PAGE_QUERIES = 2
"""The comparison with its sides and tools (one join), and the sides' reviews."""
CARD_QUERIES = 3
"""The same two, and the content versions of what they read."""
SLUGS = ("code-llama-4-vs-mistral-code", "quillmate-vs-draftwell-vs-inkling")


async def _statements(counter: QueryCounter, client: httpx.AsyncClient, path: str) -> int:
    before = counter.count
    response = await client.get(path)
    assert response.status_code == 200, path
    return counter.count - before


async def test_page_and_card_statements(
    client: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    for slug in SLUGS:
        assert await _statements(sql_queries, client, f"/compare/{slug}") == PAGE_QUERIES
        card = f"/share/{slug}.png"
        assert await _statements(sql_queries, client, card) == CARD_QUERIES  # rendered
        assert await _statements(sql_queries, client, card) == CARD_QUERIES  # kept


async def test_listing_structured_data_is_batched(
    client: httpx.AsyncClient, sql_queries: QueryCounter
) -> None:
    query = "query L($n: Int!) { comparisons(first: $n) { nodes { structuredData shareImage } } }"
    counts = []
    for first in (2, 6):
        before = sql_queries.count
        payload = {"query": query, "variables": {"n": first}}
        body = (await client.post("/graphql", json=payload)).json()
        assert "errors" not in body, body
        nodes = body["data"]["comparisons"]["nodes"]
        assert len(nodes) == first
        assert all(n["structuredData"]["@graph"][0]["@type"] == "WebPage" for n in nodes)
        counts.append(sql_queries.count - before)
    assert counts[0] == counts[1]
