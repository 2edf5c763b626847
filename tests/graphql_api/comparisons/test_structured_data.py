"""Comparison.structuredData and Comparison.shareImage, and the page route's share tags."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx

from tests.support.content_edits import copy_export, edit_and_sync, set_review_verdict
from tests.support.schema_org import nodes, problems
from tests.support.votes import tokens
from verdict.models.content import Review

SEED = "code-llama-4-vs-mistral-code"
QUERY = """
query Share($slug: String!) {
  comparison(slug: $slug) {
    title structuredData shareImage
    sides { tool { slug name } reviews { verdict quote reviewer { name } } }
  }
}
"""
VOTE = """
mutation Vote($slug: String!, $tool: String!) {
  castVote(input: {comparisonSlug: $slug, toolSlug: $tool}) { __typename }
}
"""


async def _comparison(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": QUERY, "variables": {"slug": SEED}})
    body = response.json()
    assert "errors" not in body, body
    comparison: dict[str, Any] = body["data"]["comparison"]
    return comparison


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name")
            if key and values.get("content") is not None:
                self.meta[key] = str(values["content"])
        self._in_json_ld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_json_ld = False


async def test_structured_data_marks_up_the_panel_reviews_and_never_the_vote(
    client: httpx.AsyncClient,
) -> None:
    comparison = await _comparison(client)
    data = comparison["structuredData"]
    assert data["@context"] == "https://schema.org"
    assert problems(data) == []
    products = nodes(data, "Product")
    assert [p["name"] for p in products] == [s["tool"]["name"] for s in comparison["sides"]]
    for product, side in zip(products, comparison["sides"], strict=True):
        reviews = product["review"]
        assert len(reviews) == len(side["reviews"]) == 4
        assert {r["author"]["name"] for r in reviews} == {
            r["reviewer"]["name"] for r in side["reviews"]
        }
        for review in reviews:
            assert review["author"]["@type"] == "Person"
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*", review["datePublished"])
            assert review["reviewBody"] in {r["quote"] for r in side["reviews"]}
        ship = sum(1 for r in side["reviews"] if r["verdict"] == "SHIP")
        rating = product["aggregateRating"]
        assert rating["reviewCount"] == 4
        assert rating["ratingValue"] == round(ship / 4, 2)
        assert (rating["worstRating"], rating["bestRating"]) == (0, 1)
    # Nothing but the panel's reviews is aggregated: votes change nothing in the markup.
    assert len(nodes(data, "AggregateRating")) == len(products)
    assert "InteractionCounter" not in json.dumps(data)
    vote = {"query": VOTE, "variables": {"slug": SEED, "tool": "code-llama-4"}}
    voter = {"x-verdict-voter": tokens(1)[0]}
    voted = (await client.post("/graphql", json=vote, headers=voter)).json()
    assert voted["data"]["castVote"]["__typename"] == "VoteSuccess"
    assert (await _comparison(client))["structuredData"] == data


async def test_page_route_serves_share_tags_and_the_same_json_ld(
    client: httpx.AsyncClient,
) -> None:
    comparison = await _comparison(client)
    page = await client.get(f"/compare/{SEED}")
    assert page.status_code == 200
    head = _Head()
    head.feed(page.text)
    assert head.meta["og:title"] == "Code Llama 4 vs Mistral Code"
    assert head.meta["og:image"] == comparison["shareImage"]
    assert head.meta["og:image"].startswith(f"http://verdict.test/share/{SEED}.png?v=")
    assert head.meta["og:url"] == f"http://verdict.test/compare/{SEED}"
    assert "Code Llama 4 100% ship" in head.meta["og:description"]
    assert head.meta["twitter:card"] == "summary_large_image"
    assert [json.loads(text) for text in head.json_ld] == [comparison["structuredData"]]
    assert "<title>Code Llama 4 vs Mistral Code · Verdict</title>" in page.text
    # A slug with no comparison still gets the page (its script says so), without tags.
    missing = await client.get("/compare/no-such-comparison")
    assert missing.status_code == 200
    assert "og:title" not in missing.text


async def test_content_cannot_close_the_json_ld_script(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    export = copy_export(tmp_path)
    first = await Review.filter(tool__slug="code-llama-4").order_by("id").first()
    assert first is not None
    hostile = "</script><script>alert(1)</script> & more"

    def change(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**r, "quote": hostile, "date_updated": "2026-11-20T10:00:00.000Z"}
            if str(r["id"]) == first.id  # the export holds Directus's integers, Verdict text
            else r
            for r in rows
        ]

    await edit_and_sync(export, "reviews", change)
    page = (await client.get(f"/compare/{SEED}")).text
    assert "</script><script>alert(1)" not in page
    head = _Head()
    head.feed(page)
    bodies = [r["reviewBody"] for r in nodes(json.loads(head.json_ld[0]), "Review")]
    assert hostile in bodies


async def test_share_image_url_changes_with_the_figures(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    before = (await _comparison(client))["shareImage"]
    review = await Review.filter(tool__slug="code-llama-4").order_by("id").first()
    assert review is not None
    await edit_and_sync(copy_export(tmp_path), "reviews", set_review_verdict(review.id, "skip"))
    after = await _comparison(client)
    assert after["shareImage"] != before
    product = nodes(after["structuredData"], "Product")[0]
    assert product["aggregateRating"]["ratingValue"] == 0.75
