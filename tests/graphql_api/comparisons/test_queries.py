"""The comparison queries: the demo's first query (the seed comparison with both tools at 100%
panel ship), and the frontend's comparison page and listing against the demo content, on SQLite
and PostgreSQL."""

from __future__ import annotations

import base64

import httpx

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from tests.support.content import SAMPLE_CONTENT
from tests.support.queries import (
    COMPARISON_LISTING,
    THREE_WAY,
    comparison_page,
    walk,
)
from verdict.models.votes import VoteTally

SEED_QUERY = """
query Seed($slug: String!) {
  comparison(slug: $slug) {
    title
    sides {
      tool { slug name vendor tagline pricingEntry }
      panelShipPercent
      reviews { verdict quote reviewer { name lens } }
    }
  }
}
"""


async def test_seed_comparison_shows_both_tools_at_full_panel_ship(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": SEED_QUERY, "variables": {"slug": "code-llama-4-vs-mistral-code"}},
    )
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body
    comparison = body["data"]["comparison"]
    assert comparison["title"] == "Code Llama 4 vs Mistral Code"
    sides = comparison["sides"]
    assert [s["tool"]["slug"] for s in sides] == ["code-llama-4", "mistral-code"]
    assert [s["tool"]["vendor"] for s in sides] == ["Meta", "Mistral AI"]
    assert [s["tool"]["pricingEntry"] for s in sides] == ["Free", "Free"]
    assert [s["panelShipPercent"] for s in sides] == [100, 100]
    for side in sides:
        assert len(side["reviews"]) == 4
        assert {r["verdict"] for r in side["reviews"]} == {"SHIP"}
        assert [r["reviewer"]["lens"] for r in side["reviews"]] == [
            "DEVELOPER_EXPERIENCE",
            "COMPETITION",
            "THESIS",
            "BUSINESS",
        ]


async def test_mixed_verdicts_give_rounded_percentages(client: httpx.AsyncClient) -> None:
    query = (
        '{ comparison(slug: "quillmate-vs-draftwell-vs-inkling") { sides { panelShipPercent } } }'
    )
    response = await client.post("/graphql", json={"query": query})
    sides = response.json()["data"]["comparison"]["sides"]
    assert [s["panelShipPercent"] for s in sides] == [50, 0, 75]


async def test_unknown_and_draft_comparisons_are_null(client: httpx.AsyncClient) -> None:
    for slug in ("no-such-comparison", "draft-preview-example"):
        response = await client.post(
            "/graphql", json={"query": SEED_QUERY, "variables": {"slug": slug}}
        )
        assert response.json()["data"] == {"comparison": None}


async def test_comparison_page_has_sides_figures_verdict_and_split(
    client: httpx.AsyncClient,
) -> None:
    page = await comparison_page(client, THREE_WAY)
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
    page = await comparison_page(client, "code-llama-4-vs-mistral-code")
    assert page["panelVerdict"] == {"outcome": "TIE", "margin": 0, "favouredSide": None}


async def test_vote_tallies_give_counts_and_rounded_shares(client: httpx.AsyncClient) -> None:
    for tool, count in (("quillmate", 1), ("draftwell", 1), ("inkling", 1), ("retired", 5)):
        await VoteTally.create(comparison_slug=THREE_WAY, tool_slug=tool, count=count)
    page = await comparison_page(client, THREE_WAY)
    # A tally for a tool no longer on the comparison is not counted.
    assert [(s["voteCount"], s["voteShare"]) for s in page["sides"]] == [(1, 33)] * 3
    assert page["voteCount"] == 3


async def test_figures_do_not_change_when_the_same_content_syncs_again(
    client: httpx.AsyncClient,
) -> None:
    before = await comparison_page(client, THREE_WAY)
    await SyncEngine(ExportSource(SAMPLE_CONTENT)).run(full=True)
    assert await comparison_page(client, THREE_WAY) == before


async def test_comparison_listing_filters_and_most_voted_order(client: httpx.AsyncClient) -> None:
    by_tool, _ = await walk(
        client, COMPARISON_LISTING, "comparisons", {"filter": {"toolSlug": "quillmate"}}
    )
    assert by_tool == ["cadence-write-vs-quillmate", THREE_WAY]
    writing, _ = await walk(
        client, COMPARISON_LISTING, "comparisons", {"filter": {"category": "Writing Assistants"}}
    )
    assert writing == ["cadence-write-vs-quillmate", THREE_WAY]
    await VoteTally.create(comparison_slug="code-llama-4-vs-mistral-code", tool_slug="a", count=3)
    await VoteTally.create(comparison_slug="code-llama-4-vs-mistral-code", tool_slug="b", count=2)
    await VoteTally.create(comparison_slug=THREE_WAY, tool_slug="inkling", count=4)
    voted, _ = await walk(
        client, COMPARISON_LISTING, "comparisons", {"orderBy": "MOST_VOTED", "first": 2}
    )
    assert voted[:3] == ["code-llama-4-vs-mistral-code", THREE_WAY, "mistral-code-vs-forge-coder"]
    assert len(voted) == 6
