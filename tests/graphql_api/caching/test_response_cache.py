"""Drafts only with a preview token, never through the public cache; the response cache serves
hits and never serves a response whose content a sync has changed since."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from graphql_api.preview.tokens import PreviewSigner
from tests.support.clients import AppClient
from tests.support.content import SAMPLE_CONTENT, edited_export
from verdict.settings import DEV_SECRET_KEY

DRAFT = """query Draft {
  comparison(slug: "draft-preview-example") {
    title
    sides { tool { slug } panelShipPercent }
    reviewerSplit { reviewer { slug } sides { verdict } }
  }
}"""
TOOL = '{ tool(slug: "code-llama-4") { name tagline } }'


async def _post(http: httpx.AsyncClient, query: str, **headers: str) -> httpx.Response:
    response = await http.post("/graphql", json={"query": query}, headers=headers)
    assert response.status_code == 200, response.text
    return response


async def test_drafts_need_a_preview_token_and_never_reach_the_cache(
    app_client: AppClient,
) -> None:
    token = PreviewSigner.from_secret(DEV_SECRET_KEY).issue(1)
    async with app_client() as http:
        public = await _post(http, DRAFT)
        assert public.json()["data"] == {"comparison": None}
        assert public.headers["x-verdict-cache"] == "miss"
        assert (await _post(http, DRAFT)).headers["x-verdict-cache"] == "hit"

        preview = await _post(http, DRAFT, **{"x-verdict-preview": token})
        comparison = preview.json()["data"]["comparison"]
        assert comparison["title"] == "Code Llama 4 vs Halyard Coder"
        # The editors' view of the draft: the draft tool's side with its computed figures.
        slugs = [side["tool"]["slug"] for side in comparison["sides"]]
        assert len(slugs) == 2
        assert "code-llama-4" in slugs
        assert all(isinstance(s["panelShipPercent"], int) for s in comparison["sides"])
        assert comparison["reviewerSplit"], "the draft tool's reviews give a reviewer split"
        assert "x-verdict-cache" not in preview.headers  # previews bypass the cache entirely

        by_param = await http.get("/graphql", params={"query": DRAFT, "preview": token})
        assert by_param.json()["data"]["comparison"]["title"] == "Code Llama 4 vs Halyard Coder"
        assert by_param.headers["cache-control"] == "no-store"

        # After the previews, the public answer (cached or not) still has no draft.
        after = await _post(http, DRAFT)
        assert after.json()["data"] == {"comparison": None}
        assert after.headers["x-verdict-cache"] == "hit"
        listing = await _post(http, "{ comparisons(first: 50) { nodes { slug } } }")
        assert "draft-preview-example" not in json.dumps(listing.json())

        expired = PreviewSigner.from_secret(DEV_SECRET_KEY).issue(-1)
        refused = await http.post(
            "/graphql", json={"query": DRAFT}, headers={"x-verdict-preview": expired}
        )
        assert refused.status_code == 401
        assert refused.json()["errors"][0]["extensions"]["code"] == "INVALID_PREVIEW_TOKEN"


async def test_a_sync_invalidates_exactly_what_it_touched(
    app_client: AppClient, tmp_path: Path
) -> None:
    other = '{ tool(slug: "mistral-code") { name tagline } }'
    async with app_client() as http:
        first = await _post(http, TOOL)
        assert first.json()["data"]["tool"]["name"] == "Code Llama 4"
        assert first.headers["x-verdict-cache"] == "miss"
        assert (await _post(http, TOOL)).headers["x-verdict-cache"] == "hit"
        await _post(http, other)
        assert (await _post(http, other)).headers["x-verdict-cache"] == "hit"

        report = await SyncEngine(ExportSource(edited_export(tmp_path, "Code Llama 4.1"))).run(
            full=True
        )
        assert report.changed

        after = await _post(http, TOOL)
        assert after.json()["data"]["tool"]["name"] == "Code Llama 4.1"
        assert after.headers["x-verdict-cache"] == "miss"
        assert (await _post(http, TOOL)).headers["x-verdict-cache"] == "hit"
        # Untouched content stays cached.
        assert (await _post(http, other)).headers["x-verdict-cache"] == "hit"


async def test_vote_figures_are_never_served_from_the_cache(app_client: AppClient) -> None:
    query = '{ comparison(slug: "code-llama-4-vs-mistral-code") { voteCount } }'
    async with app_client() as http:
        for _ in range(2):
            response = await _post(http, query)
            assert "x-verdict-cache" not in response.headers


async def test_a_reviewer_leaving_the_panel_invalidates_the_counted_figures(
    app_client: AppClient, tmp_path: Path
) -> None:
    """A listing's panel figures are counted in the database, without reading review rows: a
    reviewer taken off the panel (unpublished) must still drop the cached answer."""
    listing = (
        "{ comparisons(first: 50) { nodes { slug sides { panelShipCount panelSkipCount } } } }"
    )

    def reviews_counted(response: httpx.Response) -> int:
        nodes = response.json()["data"]["comparisons"]["nodes"]
        return sum(s["panelShipCount"] + s["panelSkipCount"] for n in nodes for s in n["sides"])

    async with app_client() as http:
        first = await _post(http, listing)
        assert first.headers["x-verdict-cache"] == "miss"
        assert (await _post(http, listing)).headers["x-verdict-cache"] == "hit"
        before = reviews_counted(first)

        folder = tmp_path / "export"
        shutil.copytree(SAMPLE_CONTENT, folder)
        reviewers_file = folder / "reviewers.json"
        reviewers = json.loads(reviewers_file.read_text())
        leaving = reviewers["data"][0]
        leaving["status"] = "archived"
        leaving["date_updated"] = "2026-11-01T00:00:00.000Z"
        reviewers_file.write_text(json.dumps(reviewers))
        assert (await SyncEngine(ExportSource(folder)).run(full=True)).changed

        after = await _post(http, listing)
        assert after.headers["x-verdict-cache"] == "miss"
        assert 0 < reviews_counted(after) < before
