"""The frontend's real queries, shared by the page, query-count and benchmark code."""

from __future__ import annotations

from typing import Any

import httpx

THREE_WAY = "quillmate-vs-draftwell-vs-inkling"  # the demo comparison of three tools

COMPARISON_PAGE = """
query ComparisonPage($slug: String!) {
  comparison(slug: $slug) {
    id slug title headline summary pricingRead votingOpen publishedAt updatedAt voteCount
    sides {
      position pricingEntry
      tool {
        id slug name vendor tagline category pricingEntry license openWeights modelSizes
        website logoUrl
      }
      panelShipCount panelSkipCount panelShipPercent
      voteCount voteShare
      reviews { verdict quote publishedAt reviewer { slug name lens } }
    }
    panelVerdict { outcome margin favouredSide { position tool { slug } } }
    reviewerSplit {
      reviewer { slug name lens }
      sides { position tool { slug } verdict quote }
    }
  }
}
"""

TOOL_PAGE = """
query ToolPage($slug: String!) {
  tool(slug: $slug) {
    id slug name vendor tagline description category pricingEntry license openWeights
    modelSizes website logoUrl
    panelShipCount panelSkipCount panelShipPercent
    reviews { verdict quote reviewer { slug name lens bio } }
    comparisons { slug title headline publishedAt sides { tool { slug name } } }
  }
}
"""

REVIEWER_PAGE = """
query ReviewerPage($slug: String!) {
  reviewer(slug: $slug) {
    id slug name lens bio
    reviews { verdict quote publishedAt tool { slug name vendor pricingEntry } }
  }
}
"""

COMPARISON_LISTING = """
query ComparisonListing(
  $first: Int, $after: String, $filter: ComparisonFilter, $orderBy: ComparisonOrder
) {
  comparisons(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        id slug title headline publishedAt voteCount
        sides { position tool { slug name logoUrl } panelShipPercent voteShare }
        panelVerdict { outcome margin favouredSide { tool { slug } } }
      }
    }
  }
}
"""

TOOL_LISTING = """
query ToolListing($first: Int, $after: String, $filter: ToolFilter, $orderBy: ToolOrder) {
  tools(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id slug name vendor tagline category openWeights panelShipPercent } }
  }
}
"""


async def graphql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST a query; fail the test on any GraphQL error; return ``data``."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def comparison_page(client: httpx.AsyncClient, slug: str) -> dict[str, Any]:
    """The comparison page (``COMPARISON_PAGE``) of ``slug``."""
    data = await graphql(client, COMPARISON_PAGE, {"slug": slug})
    comparison: dict[str, Any] = data["comparison"]
    return comparison


async def walk(
    client: httpx.AsyncClient, query: str, field: str, variables: dict[str, Any]
) -> tuple[list[str], int]:
    """Follow a connection's cursors to its end: the node slugs in order, and the pages read."""
    slugs: list[str] = []
    after = None
    pages = 0
    while True:
        data = (await graphql(client, query, {**variables, "after": after}))[field]
        pages += 1
        slugs += [edge["node"]["slug"] for edge in data["edges"]]
        assert data["totalCount"] >= len(slugs)
        if not data["pageInfo"]["hasNextPage"]:
            assert data["totalCount"] == len(slugs)
            return slugs, pages
        after = data["pageInfo"]["endCursor"]
        assert pages < 50, "pagination does not end"
