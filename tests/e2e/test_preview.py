"""Preview from the CMS, end to end: the preview URL Directus builds opens the draft.

Provision sets Directus's ``preview_url`` on comparisons, tools and reviewers. The test reads it
back from Directus, renders it for a draft comparison as Directus does (``{{slug}}``), follows it
into the site (our API app, in-process) and reads the page's figures with the preview cookie:
the draft, its panel ship %, verdict and split, before anything is published. Then 20 saves in
Directus are timed until the preview shows them (webhook-driven passes; the figures are printed
and kept in the terminal summary), and publishing makes the comparison public.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from cms_sync.directus.preview_links import PREVIEW_PATHS, preview_templates
from cms_sync.directus.provision import ProvisionResult, provision
from cms_sync.directus.server import DirectusServer
from cms_sync.webhooks import WEBHOOK_PATH
from graphql_api.app import create_app
from graphql_api.preview.tokens import PreviewSigner
from graphql_api.settings import ApiSettings
from tests.support.databases import Backend
from tests.support.directus_content import WAIT, WEBHOOK_SECRET, Cms, Seeded, seed
from tests.support.directus_worker import watch
from tests.support.measurements import Measurements
from verdict.settings import Settings

pytestmark = pytest.mark.directus

SITE = "http://verdict.test"
SAVES = 20
POLL_EVERY = 0.01
PAGE = """
query ($slug: String!) {
  comparison(slug: $slug) {
    title
    sides { tool { slug } panelShipPercent }
    panelVerdict { outcome margin favouredSide { tool { slug } } }
    reviewerSplit: sides { reviews { reviewer { slug } verdict } }
  }
}
"""


def render(template: str, item: dict[str, Any]) -> str:
    """A Directus preview URL template filled in with an item's fields, as Directus does."""
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: str(item[m.group(1)]), template)


@pytest.fixture
def app(db: Settings) -> Starlette:
    return create_app(db, api=ApiSettings(), manage_database=False)


@pytest.fixture
async def site(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """The editor's browser: keeps the preview cookie."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SITE) as http:
        yield http


async def _page(http: httpx.AsyncClient, slug: str) -> Any:
    response = await http.post("/graphql", json={"query": PAGE, "variables": {"slug": slug}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["comparison"]


async def _provision_preview(
    db: Settings, directus: DirectusServer, webhook_port: int
) -> ProvisionResult:
    token = PreviewSigner.from_secret(db.secret_key).issue(ApiSettings().preview_token_hours)
    return await provision(
        directus.url,
        directus.admin_token,
        webhook_url=f"http://127.0.0.1:{webhook_port}{WEBHOOK_PATH}",
        webhook_secret=WEBHOOK_SECRET,
        with_sample_content=False,
        preview_urls=preview_templates(SITE, token),
    )


async def _preview_url(cms: Cms, collection: str, item: dict[str, Any]) -> str:
    status, document = await cms.send("GET", f"/collections/{collection}")
    assert status == 200, document
    template: str = document["data"]["meta"]["preview_url"]
    return render(template, item)


async def _draft(cms: Cms) -> Seeded:
    seeded = await seed(cms)
    await cms.update("comparisons", seeded.comparison, {"status": "draft"})
    return seeded


async def test_the_preview_url_directus_builds_shows_the_draft_and_its_figures(
    db: Settings,
    backend: Backend,
    directus: DirectusServer,
    provisioned: ProvisionResult,
    webhook_port: int,
    cms: Cms,
    app: Starlette,
    site: httpx.AsyncClient,
    measurements: Measurements,
) -> None:
    again = await _provision_preview(db, directus, webhook_port)
    assert sorted(c for c in again.changes if "preview URL" in c) == [
        f"set the preview URL of {c}" for c in sorted(PREVIEW_PATHS)
    ]
    seeded = await _draft(cms)
    slug = seeded.comparison_slug
    url = await _preview_url(cms, "comparisons", {"slug": slug})
    assert url.startswith(f"{SITE}/preview/enter?token=p1.")
    assert url.endswith(f"&to=/compare/{slug}")

    async with watch(db, directus, provisioned, webhook_port) as watching:
        assert await _page(site, slug) is None  # a draft: not public
        entered = await site.get(url.removeprefix(SITE), follow_redirects=True)
        assert entered.status_code == 200
        assert entered.url.path == f"/compare/{slug}"
        page = await _page(site, slug)  # the page's own request, with the preview cookie
        assert page["title"] == "Alpha vs Beta"
        assert [(s["tool"]["slug"], s["panelShipPercent"]) for s in page["sides"]] == [
            (seeded.slug("alpha"), 67),
            (seeded.slug("beta"), 50),
        ]
        assert page["panelVerdict"]["outcome"] == "FAVOURS_SIDE"
        assert page["panelVerdict"]["margin"] == 17
        assert [len(s["reviews"]) for s in page["reviewerSplit"]] == [3, 2]

        # A tool's preview opens a comparison it is on.
        tool_url = await _preview_url(cms, "tools", {"slug": seeded.slug("beta")})
        response = await site.get(tool_url.removeprefix(SITE))
        assert response.headers["location"] == f"/compare/{slug}"

        seconds: list[float] = []
        for take in range(SAVES):
            title = f"Alpha vs Beta, draft {take}"
            started = time.monotonic()
            await cms.update("comparisons", seeded.comparison, {"title": title})
            while (await _page(site, slug))["title"] != title:
                assert time.monotonic() - started < WAIT, f"save {take} never showed"
                await asyncio.sleep(POLL_EVERY)
            seconds.append(time.monotonic() - started)
        p50 = statistics.median(seconds)
        p95 = statistics.quantiles(seconds, n=20, method="inclusive")[18]
        print(
            f"save-to-preview over {SAVES} saves ({backend.name}): p50 {p50:.3f}s, p95 {p95:.3f}s"
        )
        measurements.add(f"save-to-preview p50 ({SAVES} saves, {backend.name})", p50)
        measurements.add(f"save-to-preview p95 ({SAVES} saves, {backend.name})", p95)
        # Polling is a minute apart: each save reached the preview through its webhook.
        assert max(seconds) < 60.0

        await watching.one_pass_after(
            cms.update("comparisons", seeded.comparison, {"status": "published"})
        )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=SITE) as public:
        assert (await _page(public, slug))["title"] == f"Alpha vs Beta, draft {SAVES - 1}"
