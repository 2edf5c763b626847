"""The demo's first query: the seed comparison with both tools at 100% panel ship."""

from __future__ import annotations

import httpx

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
