"""Sync issues where editors work: a tool the sync sets aside shows in ``verdict_sync_issues``.

An editor saves an invalid tool in Directus; after the one pass its webhook causes, the reason is
in Directus with a link to the tool. The editor fixes it; after the next pass the issue is gone.
The worker writes the issues with a second token that can write nothing else.
"""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp
import httpx
import pytest

from cms_sync.directus.issue_board import ISSUES_COLLECTION
from cms_sync.directus.provision import ProvisionResult
from cms_sync.directus.server import DirectusServer
from tests.support.directus_content import Cms, invalid_tool, query
from tests.support.directus_worker import watch
from verdict.settings import Settings

pytestmark = pytest.mark.directus

TOOL = "query ($slug: String!) { tool(slug: $slug) { slug tagline } }"


async def _issues(cms: Cms, collection: str, item: int) -> list[dict[str, Any]]:
    """What an editor sees in Directus's sync issues collection for one entry."""
    url = f"{cms.url}/items/{ISSUES_COLLECTION}"
    params = {
        "filter[collection][_eq]": collection,
        "filter[item][_eq]": str(item),
        "fields": "collection,item,reason_code,reason,link,first_seen",
    }
    headers = {"Authorization": f"Bearer {cms.token}"}
    async with cms.http.get(url, params=params, headers=headers) as response:
        assert response.status == 200, await response.text()
        found: list[dict[str, Any]] = (await response.json())["data"]
    return found


async def test_an_invalid_save_shows_its_reason_in_directus_until_fixed(
    db: Settings,
    directus: DirectusServer,
    provisioned: ProvisionResult,
    webhook_port: int,
    cms: Cms,
    api: httpx.AsyncClient,
) -> None:
    slug = f"issue-{uuid.uuid4().hex[:8]}"
    async with watch(db, directus, provisioned, webhook_port, with_issues=True) as watching:
        tool: dict[str, Any] = {}

        async def save_invalid() -> None:
            tool.update(await cms.create("tools", invalid_tool(slug, "Gamma", status="published")))

        await watching.one_pass_after(save_invalid())
        tool_id = int(tool["id"])
        [issue] = await _issues(cms, "tools", tool_id)
        assert issue["reason_code"] == "missing_field"
        assert issue["reason"] == "tagline is required"
        assert issue["link"] == f"/admin/content/tools/{tool_id}"
        assert issue["first_seen"]
        assert (await query(api, TOOL, slug=slug))["tool"] is None

        # Fixed, but something else is wrong now: the same issue, with the new reason.
        fix = {"tagline": "Fixed", "category": " "}
        await watching.one_pass_after(cms.update("tools", tool_id, fix))
        [changed] = await _issues(cms, "tools", tool_id)
        assert changed["reason"] == "category is required"
        assert changed["first_seen"] == issue["first_seen"]

        fix = {"category": "code-assistant"}
        await watching.one_pass_after(cms.update("tools", tool_id, fix))
        assert await _issues(cms, "tools", tool_id) == []
        assert (await query(api, TOOL, slug=slug))["tool"] == {"slug": slug, "tagline": "Fixed"}


async def test_the_issues_token_writes_the_issues_and_nothing_else(
    directus: DirectusServer, provisioned: ProvisionResult, cms: Cms
) -> None:
    headers = {"Authorization": f"Bearer {provisioned.issues_token}"}
    base = directus.url
    async with aiohttp.ClientSession(headers=headers) as http:
        for method, path, body in (
            ("GET", "/items/tools", None),
            ("POST", "/items/tools", {"slug": "nope"}),
            ("GET", "/activity", None),
            ("GET", "/users", None),
            ("PATCH", f"/collections/{ISSUES_COLLECTION}", {"meta": {"note": "x"}}),
        ):
            async with http.request(method, base + path, json=body) as response:
                assert response.status == 403, (method, path, response.status)
        item = {"collection": "tools", "item": "0", "reason_code": "probe", "reason": "probe"}
        async with http.post(f"{base}/items/{ISSUES_COLLECTION}", json=item) as response:
            assert response.status == 200, await response.text()
            created = (await response.json())["data"]["id"]
        async with http.delete(f"{base}/items/{ISSUES_COLLECTION}/{created}") as response:
            assert response.status == 204
