"""An offline copy kept by the sync feed, the way an app keeps one, and the API's own answer to
compare it with. Used by the feed's tests and its benchmark."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

CONTENT_CHANGES = """
query Feed($since: String, $first: Int) {
  contentChanges(since: $since, first: $first) {
    __typename
    ... on ContentChangesPage {
      nextToken hasMore
      changes {
        type key slug removed { reason removedAt }
        comparison { slug title sides { tool { slug } } }
        tool { slug name }
        reviewer { slug name }
      }
    }
    ... on SyncTokenExpired { message retentionDays }
    ... on SyncTokenInvalid { message }
  }
}
"""

TALLY_CHANGES = """
query Tallies($since: String, $first: Int) {
  tallyChanges(since: $since, first: $first) {
    __typename
    ... on TallyChangesPage {
      nextToken hasMore
      tallies { comparisonSlug sides { toolSlug voteCount } }
    }
    ... on SyncTokenInvalid { message }
  }
}
"""

SERVED = """
query Served($after: String) {
  comparisons(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { slug title sides { tool { slug } voteCount } }
  }
  tools(first: 100) { nodes { slug name } }
  reviewers(first: 100) { nodes { slug name } }
}
"""


async def post(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


@dataclass(frozen=True, slots=True)
class State:
    """What an app shows: comparisons (title, side tools, side votes), tools and reviewers."""

    comparisons: dict[str, tuple[str, tuple[str, ...], tuple[int, ...]]]
    tools: dict[str, str]
    reviewers: dict[str, str]


@dataclass(slots=True)
class OfflineCopy:
    """An app's copy: entries by their stable key, tallies by comparison slug, two tokens."""

    headers: dict[str, str] = field(default_factory=dict)
    first: int = 20
    token: str | None = None
    tally_token: str | None = None
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    tallies: dict[str, dict[str, int]] = field(default_factory=dict)
    pages: int = 0
    seen_tombstones: int = 0

    async def content_page(self, http: httpx.AsyncClient) -> bool:
        """Read and apply one page of content changes; True while more are ready."""
        data = await post(
            http, CONTENT_CHANGES, {"since": self.token, "first": self.first}, self.headers
        )
        page = data["contentChanges"]
        assert page["__typename"] == "ContentChangesPage", page
        for change in page["changes"]:
            if change["removed"] is not None:
                self.seen_tombstones += 1
                self.entries.pop(change["key"], None)
                continue
            node = change["comparison"] or change["tool"] or change["reviewer"]
            assert node is not None, change
            self.entries[change["key"]] = {"type": change["type"], **node}
        self.token = page["nextToken"]
        self.pages += 1
        return bool(page["hasMore"])

    async def tally_page(self, http: httpx.AsyncClient) -> bool:
        data = await post(
            http, TALLY_CHANGES, {"since": self.tally_token, "first": self.first}, self.headers
        )
        page = data["tallyChanges"]
        assert page["__typename"] == "TallyChangesPage", page
        for tally in page["tallies"]:
            sides = {s["toolSlug"]: s["voteCount"] for s in tally["sides"]}
            self.tallies[tally["comparisonSlug"]] = sides
        self.tally_token = page["nextToken"]
        return bool(page["hasMore"])

    async def catch_up(self, http: httpx.AsyncClient) -> None:
        while await self.content_page(http):
            pass
        while await self.tally_page(http):
            pass

    def state(self) -> State:
        comparisons = {}
        tools, reviewers = {}, {}
        for entry in self.entries.values():
            if entry["type"] == "COMPARISON":
                sides = tuple(s["tool"]["slug"] for s in entry["sides"])
                counts = self.tallies.get(entry["slug"], {})
                votes = tuple(counts.get(t, 0) for t in sides)
                comparisons[entry["slug"]] = (entry["title"], sides, votes)
            elif entry["type"] == "TOOL":
                tools[entry["slug"]] = entry["name"]
            else:
                reviewers[entry["slug"]] = entry["name"]
        return State(comparisons, tools, reviewers)


async def served(http: httpx.AsyncClient, headers: dict[str, str] | None = None) -> State:
    """What the API's ordinary queries serve now."""
    comparisons = {}
    after = None
    while True:
        data = await post(http, SERVED, {"after": after}, headers)
        for node in data["comparisons"]["nodes"]:
            sides = tuple(s["tool"]["slug"] for s in node["sides"])
            votes = tuple(s["voteCount"] for s in node["sides"])
            comparisons[node["slug"]] = (node["title"], sides, votes)
        info = data["comparisons"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    tools = {n["slug"]: n["name"] for n in data["tools"]["nodes"]}
    reviewers = {n["slug"]: n["name"] for n in data["reviewers"]["nodes"]}
    return State(comparisons, tools, reviewers)
