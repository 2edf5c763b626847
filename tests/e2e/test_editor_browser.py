"""An editor's day in a real Chromium: Directus's admin app, the preview, the published page.

Logged in to the real Directus admin app as the provisioned editor, the test opens a draft
comparison, presses its preview button: the Live Preview pane frames a real ``verdict serve`` (the
draft, its figures and the "Preview: drafts shown" banner), publishes it and sees it public,
saves an invalid tool and finds the reason among the sync issues, and deletes the comparison
from the admin app. The screenshots it takes on the way are the ones in docs/editors.md
(docs/editors/*.png), written there only with ``VERDICT_UPDATE_SCREENSHOTS=1``.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Final

import aiohttp
import pytest
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

from cms_sync.directus.editor_access import EditorLogin
from cms_sync.directus.preview_links import preview_templates
from cms_sync.directus.provision import ProvisionResult, provision
from cms_sync.directus.server import DirectusServer, free_port
from cms_sync.webhooks import WEBHOOK_PATH
from graphql_api.preview.tokens import PreviewSigner
from tests.support.browser import CHROMIUM_ARGS, require_chromium
from tests.support.directus_content import WEBHOOK_SECRET, Cms, Seeded, invalid_tool, seed
from tests.support.directus_worker import Watching, watch
from tests.support.servers import serve
from tests.support.services import require_service
from verdict.models.content import Comparison
from verdict.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.directus

SHOTS: Final = PROJECT_ROOT / "docs" / "editors"
EDITOR: Final = EditorLogin("editor@verdict.example.com", "editor-password-for-tests")
VIEWPORT: Final = ViewportSize(width=1100, height=720)
ADMIN_VIEWPORT: Final = ViewportSize(width=1440, height=860)
"""Wide enough for Directus to show its navigation beside the page rather than over it."""
WAIT_MS: Final = 20_000


@pytest.fixture(scope="module")
async def directus(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DirectusServer]:
    """This module's Directus lets its Live Preview pane frame a site on any loopback port, as
    `verdict cms up` lets it frame VERDICT_PREVIEW_SITE_URL."""
    if not os.environ.get("VERDICT_TEST_DIRECTUS"):
        require_service("Directus", "VERDICT_TEST_DIRECTUS=1")
    frame_src = {"CONTENT_SECURITY_POLICY_DIRECTIVES__FRAME_SRC": "array:'self',http://127.0.0.1:*"}
    server = DirectusServer(
        tmp_path_factory.mktemp("directus"), port=free_port(), extra_env=frame_src
    )
    async with server:
        yield server


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    chromium = require_chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def _as_editor(http: aiohttp.ClientSession, directus: DirectusServer) -> Cms:
    """Directus's REST API with the editor's own (short-lived) access token."""
    login = {"email": EDITOR.email, "password": EDITOR.password}
    async with http.post(f"{directus.url}/auth/login", json=login) as response:
        assert response.status == 200, await response.text()
        token = (await response.json())["data"]["access_token"]
    return Cms(http, directus.url, token)


UPDATE_SHOTS: Final = "VERDICT_UPDATE_SCREENSHOTS"
"""Set to 1 to write the screenshots over docs/editors/*.png; otherwise they go to the test's
temporary folder, so a test run leaves the checkout as it found it."""


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where this run's screenshots go (see ``UPDATE_SHOTS``)."""
    folder = SHOTS if os.environ.get(UPDATE_SHOTS) == "1" else tmp_path / "editors"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def _shot(page: Page, folder: Path, name: str) -> None:
    await page.screenshot(path=str(folder / f"{name}.png"))
    assert (folder / f"{name}.png").stat().st_size > 0


async def _log_in(page: Page, directus: DirectusServer) -> None:
    await page.goto(f"{directus.url}/admin/login")
    await page.locator('input[type="email"]').fill(EDITOR.email)
    await page.locator('input[type="password"]').fill(EDITOR.password)
    await page.locator('button[type="submit"]').click()
    await page.wait_for_url(re.compile(r"/admin/content"), timeout=WAIT_MS)


async def test_an_editor_previews_publishes_fixes_and_deletes_from_directus(
    db: Settings,
    directus: DirectusServer,
    provisioned: ProvisionResult,
    webhook_port: int,
    cms: Cms,
    browser: Browser,
    shots: Path,
) -> None:
    expect.set_options(timeout=WAIT_MS)
    async with serve(
        db.database_url,
        VERDICT_MODE="dev",
        VERDICT_SECRET_KEY=db.secret_key,
        VERDICT_PREVIEW_FRAME_ANCESTORS=directus.url,
    ) as site:
        token = PreviewSigner.from_secret(db.secret_key).issue(4)
        await provision(
            directus.url,
            directus.admin_token,
            webhook_url=f"http://127.0.0.1:{webhook_port}{WEBHOOK_PATH}",
            webhook_secret=WEBHOOK_SECRET,
            with_sample_content=False,
            preview_urls=preview_templates(site, token),
            editor=EDITOR,
        )
        seeded = await seed(cms)
        await cms.update("comparisons", seeded.comparison, {"status": "draft"})
        editor = await _as_editor(cms.http, directus)
        async with watch(db, directus, provisioned, webhook_port, with_issues=True) as watching:
            context = await browser.new_context(viewport=ADMIN_VIEWPORT)
            admin = await context.new_page()
            await _log_in(admin, directus)
            await _write_and_preview(admin, site, seeded, directus.url, shots)
            await _publish(browser, admin, site, seeded, editor, watching, shots)
            await _sync_issue(admin, seeded, editor, watching, shots)
            await _delete(admin, directus.url, seeded, watching, shots)


async def _write_and_preview(
    admin: Page, site: str, seeded: Seeded, cms_url: str, shots: Path
) -> None:
    await admin.goto(f"{cms_url}/admin/content/comparisons")
    await expect(admin.get_by_text("Alpha vs Beta").first).to_be_visible()
    await _shot(admin, shots, "comparisons")
    await admin.goto(f"{cms_url}/admin/content/comparisons/{seeded.comparison}")
    await expect(admin.locator('input[value="Alpha vs Beta"]').first).to_be_visible()
    await _shot(admin, shots, "comparison-item")

    # Directus's own preview (the eye): its Live Preview pane frames the URL it built from the
    # collection's template and the item's fields.
    await admin.locator('button:has(i[data-icon="visibility"])').first.click()
    pane = admin.locator(f'iframe[src^="{site}/preview/enter?token="]')
    await expect(pane).to_have_count(1)
    url = await pane.get_attribute("src")
    assert url is not None
    assert url.endswith(f"&to=/compare/{seeded.comparison_slug}")
    framed = admin.frame_locator(f'iframe[src^="{site}/preview/enter?token="]')
    await expect(framed.get_by_role("heading", level=1)).to_have_text("Alpha vs Beta")
    await expect(framed.locator("#preview-banner")).to_contain_text("Preview: drafts shown")
    await _shot(admin, shots, "live-preview")

    # A save in the form shows in the pane once synced, without reloading it by hand.
    headline = admin.locator('input[value="Which one should you ship with?"]').first
    await headline.fill("Saved in Directus, shown in the preview")
    await admin.keyboard.press("Control+s")  # Directus's "save and stay": the pane stays open
    await expect(framed.locator("#headline")).to_have_text(
        "Saved in Directus, shown in the preview"
    )
    await admin.locator('button:has(i[data-icon="visibility"])').first.click()  # close the pane
    await expect(pane).to_have_count(0)

    preview = await admin.context.new_page()
    await preview.set_viewport_size(VIEWPORT)
    await preview.goto(url)
    await expect(preview.get_by_role("heading", level=1)).to_have_text("Alpha vs Beta")
    await expect(preview.locator("#preview-banner")).to_contain_text("Preview: drafts shown")
    alpha = preview.locator(f'article.tool-card[data-tool="{seeded.slug("alpha")}"]')
    await expect(alpha.locator(".panel-ship dd")).to_have_text("67%")
    await expect(preview.locator("#verdict")).not_to_be_empty()
    await expect(preview.locator("#split-table tbody tr")).to_have_count(3)
    await _shot(preview, shots, "preview")
    await preview.close()


async def _publish(
    browser: Browser,
    admin: Page,
    site: str,
    seeded: Seeded,
    editor: Cms,
    watching: Watching,
    shots: Path,
) -> None:
    slug = seeded.comparison_slug
    visitor = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    await visitor.goto(f"{site}/compare/{slug}")
    await expect(visitor.locator("#load-error")).to_be_visible()  # a draft is not public
    await watching.one_pass_after(
        editor.update("comparisons", seeded.comparison, {"status": "published"})
    )
    await visitor.reload()
    await expect(visitor.get_by_role("heading", level=1)).to_have_text("Alpha vs Beta")
    await expect(visitor.locator("#preview-banner")).to_have_count(0)
    await _shot(visitor, shots, "published")
    await visitor.context.close()


async def _sync_issue(
    admin: Page, seeded: Seeded, editor: Cms, watching: Watching, shots: Path
) -> None:
    created: dict[str, Any] = {}

    async def save_invalid() -> None:
        created.update(
            await editor.create(
                "tools", invalid_tool(seeded.slug("gamma"), "Gamma Coder", status="draft")
            )
        )

    await watching.one_pass_after(save_invalid())
    await admin.goto(f"{editor.url}/admin/content/verdict_sync_issues")
    await expect(admin.get_by_text("tagline is required").first).to_be_visible()
    await _shot(admin, shots, "sync-issues")
    await watching.one_pass_after(editor.update("tools", created["id"], {"tagline": "Fixed"}))
    await admin.reload()
    await expect(admin.get_by_text("tagline is required")).to_have_count(0)


async def _delete(
    admin: Page, cms_url: str, seeded: Seeded, watching: Watching, shots: Path
) -> None:
    await admin.goto(f"{cms_url}/admin/content/comparisons/{seeded.comparison}")
    await admin.locator('button:has(i[data-icon="delete"])').first.click()
    confirm = admin.get_by_role("button", name="Delete", exact=True)
    await expect(confirm).to_be_visible()
    await _shot(admin, shots, "delete")

    async def confirm_delete() -> None:
        await confirm.click()
        await admin.wait_for_url(re.compile(r"/admin/content/comparisons/?$"), timeout=WAIT_MS)

    await watching.one_pass_after(confirm_delete())
    assert not await Comparison.exists(id=seeded.comparison)
