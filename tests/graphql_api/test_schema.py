"""The frontend's page queries against the demo content, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from tests.support.content import SAMPLE_CONTENT
from tests.support.queries import (
    COMPARISON_LISTING,
    COMPARISON_PAGE,
    REVIEWER_PAGE,
    TOOL_LISTING,
    TOOL_PAGE,
    graphql,
)
from verdict.models.votes import VoteTally

THREE_WAY = "quillmate-vs-draftwell-vs-inkling"


async def _page(client: httpx.AsyncClient, slug: str) -> dict[str, Any]:
    data = await graphql(client, COMPARISON_PAGE, {"slug": slug})
    comparison: dict[str, Any] = data["comparison"]
    return comparison


async def test_comparison_page_has_sides_figures_verdict_and_split(
    client: httpx.AsyncClient,
) -> None:
    page = await _page(client, THREE_WAY)
    assert page["title"] == "Quillmate vs Draftwell vs Inkling"
    assert page["headline"] == "Which writing assistant is worth paying for?"
    assert page["summary"]
    assert page["pricingRead"]
    assert base64.b64decode(page["id"]).decode() == f"Comparison:{THREE_WAY}"
    sides = page["sides"]
    assert [s["position"] for s in sides] == [1, 2, 3]
    assert [s["tool"]["slug"] for s in sides] == ["quillmate", "draftwell", "inkling"]
    assert [s["pricingEntry"] for s in sides] == ["$20/mo", "Free tier", "$0.20 / 1M tokens"]
    assert [(s["panelShipCount"], s["panelSkipCount"]) for s in sides] == [(2, 2), (0, 4), (3, 1)]
    assert [s["panelShipPercent"] for s in sides] == [50, 0, 75]
    # No votes yet: counts are 0 and shares are null (the page's dash).
    assert [(s["voteCount"], s["voteShare"]) for s in sides] == [(0, None)] * 3
    assert page["voteCount"] == 0
    assert sides[2]["tool"]["modelSizes"] == ["8B", "70B"]
    assert sides[2]["tool"]["openWeights"] is True
    # The panel favours Inkling (75) over Quillmate (50) by 25 points.
    assert page["panelVerdict"] == {
        "outcome": "FAVOURS_SIDE",
        "margin": 25,
        "favouredSide": {"position": 3, "tool": {"slug": "inkling"}},
    }
    split = page["reviewerSplit"]
    assert [row["reviewer"]["lens"] for row in split] == [
        "DEVELOPER_EXPERIENCE",
        "COMPETITION",
        "THESIS",
        "BUSINESS",
    ]
    for row in split:
        assert [t["tool"]["slug"] for t in row["sides"]] == ["quillmate", "draftwell", "inkling"]
    # The split agrees with each side's reviews, reviewer by reviewer.
    for index, side in enumerate(sides):
        by_reviewer = {r["reviewer"]["slug"]: (r["verdict"], r["quote"]) for r in side["reviews"]}
        from_split = {
            row["reviewer"]["slug"]: (row["sides"][index]["verdict"], row["sides"][index]["quote"])
            for row in split
        }
        assert from_split == by_reviewer


async def test_unanimous_comparison_is_a_tie(client: httpx.AsyncClient) -> None:
    page = await _page(client, "code-llama-4-vs-mistral-code")
    assert page["panelVerdict"] == {"outcome": "TIE", "margin": 0, "favouredSide": None}


async def test_vote_tallies_give_counts_and_rounded_shares(client: httpx.AsyncClient) -> None:
    for tool, count in (("quillmate", 1), ("draftwell", 1), ("inkling", 1), ("retired", 5)):
        await VoteTally.create(comparison_slug=THREE_WAY, tool_slug=tool, count=count)
    page = await _page(client, THREE_WAY)
    # A tally for a tool no longer on the comparison is not counted.
    assert [(s["voteCount"], s["voteShare"]) for s in page["sides"]] == [(1, 33)] * 3
    assert page["voteCount"] == 3


async def test_figures_do_not_change_when_the_same_content_syncs_again(
    client: httpx.AsyncClient,
) -> None:
    before = await _page(client, THREE_WAY)
    await SyncEngine(ExportSource(SAMPLE_CONTENT)).run(full=True)
    assert await _page(client, THREE_WAY) == before


async def test_tool_page(client: httpx.AsyncClient) -> None:
    tool = (await graphql(client, TOOL_PAGE, {"slug": "quillmate"}))["tool"]
    assert tool["name"] == "Quillmate"
    assert tool["category"] == "Writing Assistants"
    assert (tool["panelShipCount"], tool["panelSkipCount"], tool["panelShipPercent"]) == (2, 2, 50)
    assert len(tool["reviews"]) == 4
    assert all(r["reviewer"]["bio"] for r in tool["reviews"])
    # Newest first; both comparisons Quillmate appears on.
    assert [c["slug"] for c in tool["comparisons"]] == [
        "cadence-write-vs-quillmate",
        THREE_WAY,
    ]
    assert [s["tool"]["slug"] for s in tool["comparisons"][0]["sides"]] == [
        "cadence-write",
        "quillmate",
    ]


async def test_draft_tool_and_unknown_slugs_are_null(client: httpx.AsyncClient) -> None:
    assert (await graphql(client, TOOL_PAGE, {"slug": "halyard-coder"}))["tool"] is None
    assert (await graphql(client, TOOL_PAGE, {"slug": "nope"}))["tool"] is None
    assert (await graphql(client, REVIEWER_PAGE, {"slug": "nope"}))["reviewer"] is None


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


async def _walk(
    client: httpx.AsyncClient, query: str, field: str, variables: dict[str, Any]
) -> tuple[list[str], int]:
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


async def test_comparison_listing_walks_to_its_end_through_cursors(
    client: httpx.AsyncClient,
) -> None:
    slugs, pages = await _walk(client, COMPARISON_LISTING, "comparisons", {"first": 4})
    assert pages == 2
    assert slugs == [
        "mistral-code-vs-forge-coder",
        "cadence-write-vs-quillmate",
        THREE_WAY,
        "forge-coder-vs-stackline-coder-2",
        "tessellate-review-vs-lintwise",
        "code-llama-4-vs-mistral-code",
    ]
    one_by_one, pages = await _walk(client, COMPARISON_LISTING, "comparisons", {"first": 1})
    assert (one_by_one, pages) == (slugs, 6)


async def test_comparison_listing_filters_and_most_voted_order(client: httpx.AsyncClient) -> None:
    by_tool, _ = await _walk(
        client, COMPARISON_LISTING, "comparisons", {"filter": {"toolSlug": "quillmate"}}
    )
    assert by_tool == ["cadence-write-vs-quillmate", THREE_WAY]
    writing, _ = await _walk(
        client, COMPARISON_LISTING, "comparisons", {"filter": {"category": "Writing Assistants"}}
    )
    assert writing == ["cadence-write-vs-quillmate", THREE_WAY]
    await VoteTally.create(comparison_slug="code-llama-4-vs-mistral-code", tool_slug="a", count=3)
    await VoteTally.create(comparison_slug="code-llama-4-vs-mistral-code", tool_slug="b", count=2)
    await VoteTally.create(comparison_slug=THREE_WAY, tool_slug="inkling", count=4)
    voted, _ = await _walk(
        client, COMPARISON_LISTING, "comparisons", {"orderBy": "MOST_VOTED", "first": 2}
    )
    assert voted[:3] == ["code-llama-4-vs-mistral-code", THREE_WAY, "mistral-code-vs-forge-coder"]
    assert len(voted) == 6


async def test_tool_listing_filters(client: httpx.AsyncClient) -> None:
    everything, pages = await _walk(client, TOOL_LISTING, "tools", {"first": 3})
    assert (len(everything), pages) == (10, 4)
    assert everything == sorted(everything)  # slugs follow names here
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"vendor": "Meta"}, ["code-llama-4"]),
        ({"category": "Writing Assistants", "openWeights": True}, ["inkling"]),
        ({"search": "OPEN-WEIGHT LONG"}, ["inkling"]),
        ({"search": "browser extension"}, ["draftwell"]),
        (
            {"openWeights": False, "category": "Writing Assistants"},
            ["cadence-write", "draftwell", "quillmate"],
        ),
    ]
    for tool_filter, expected in cases:
        found, _ = await _walk(client, TOOL_LISTING, "tools", {"filter": tool_filter})
        assert found == expected, tool_filter


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
    page_id = (await _page(client, THREE_WAY))["id"]
    for global_id, typename in [(ids[0], "Reviewer"), (tool_id, "Tool"), (page_id, "Comparison")]:
        node = (await graphql(client, node_query, {"id": global_id}))["node"]
        assert (node["id"], node["__typename"]) == (global_id, typename)
    gone = base64.b64encode(b"Tool:halyard-coder").decode()
    assert (await graphql(client, node_query, {"id": gone}))["node"] is None
