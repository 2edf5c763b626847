"""The frontend's reviewer page and reviewer listing against the demo content, on SQLite and
PostgreSQL."""

from __future__ import annotations

import base64

import httpx

from tests.support.queries import (
    REVIEWER_PAGE,
    THREE_WAY,
    TOOL_PAGE,
    comparison_page,
    graphql,
)


async def test_reviewer_page(client: httpx.AsyncClient) -> None:
    reviewer = (await graphql(client, REVIEWER_PAGE, {"slug": "priya-raman"}))["reviewer"]
    assert reviewer["name"] == "Priya Raman"
    assert reviewer["lens"] == "DEVELOPER_EXPERIENCE"
    assert reviewer["bio"]
    reviews = reviewer["reviews"]
    # One review per published tool; the draft tool's review is not shown.
    assert len(reviews) == 10
    assert "halyard-coder" not in {r["tool"]["slug"] for r in reviews}
    published = [r["publishedAt"] for r in reviews]
    assert published == sorted(published, reverse=True)


async def test_reviewers_listing_and_node_refetch(client: httpx.AsyncClient) -> None:
    query = "{ reviewers(first: 10) { totalCount edges { node { id slug lens } } } }"
    data = (await graphql(client, query))["reviewers"]
    assert data["totalCount"] == 4
    lenses = [e["node"]["lens"] for e in data["edges"]]
    assert lenses == ["DEVELOPER_EXPERIENCE", "COMPETITION", "THESIS", "BUSINESS"]
    node_query = """query N($id: ID!) { node(id: $id) {
      id __typename ... on Reviewer { slug } ... on Tool { slug } ... on Comparison { slug } } }"""
    ids = [e["node"]["id"] for e in data["edges"]]
    tool_id = (await graphql(client, TOOL_PAGE, {"slug": "inkling"}))["tool"]["id"]
    page_id = (await comparison_page(client, THREE_WAY))["id"]
    for global_id, typename in [(ids[0], "Reviewer"), (tool_id, "Tool"), (page_id, "Comparison")]:
        node = (await graphql(client, node_query, {"id": global_id}))["node"]
        assert (node["id"], node["__typename"]) == (global_id, typename)
    gone = base64.b64encode(b"Tool:halyard-coder").decode()
    assert (await graphql(client, node_query, {"id": gone}))["node"] is None
