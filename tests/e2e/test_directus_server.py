"""A real Directus 12.4.0: provisioning, the read-only worker token, timestamps, webhooks."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from cms_sync.directus.flow import WEBHOOK_SECRET_HEADER
from cms_sync.directus.provision import DEFAULT_MODEL_PATH, ProvisionResult, provision
from cms_sync.directus.server import DirectusServer
from tests.support.keepalive import assert_pool_drops_first
from tests.support.webhooks import WEBHOOK_SECRET, WebhookReceiver

pytestmark = pytest.mark.directus

MODEL = json.loads(DEFAULT_MODEL_PATH.read_text())
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _get(http: aiohttp.ClientSession, url: str, token: str, **params: str) -> Any:
    async with http.get(url, headers=_auth(token), params=params) as response:
        assert response.status == 200, await response.text()
        return (await response.json())["data"]


async def _snapshot(http: aiohttp.ClientSession, server: DirectusServer) -> dict[str, Any]:
    """Everything provisioning may touch, as Directus reports it."""
    snap: dict[str, Any] = {}
    for path in (
        "/collections",
        "/fields",
        "/relations",
        "/flows",
        "/operations",
        "/policies",
        "/permissions",
        "/roles",
        "/access",
        "/users",
    ):
        snap[path] = await _get(http, f"{server.url}{path}", server.admin_token, limit="-1")
    for name in MODEL["collections"]:
        snap[name] = await _get(
            http, f"{server.url}/items/{name}", server.admin_token, limit="-1", sort="id"
        )
    return snap


@pytest.fixture(scope="module")
async def provisioned(
    directus: DirectusServer, webhook_receiver: WebhookReceiver, sample_dir: Path
) -> ProvisionResult:
    return await provision(
        directus.url,
        directus.admin_token,
        webhook_url=webhook_receiver.url,
        webhook_secret=WEBHOOK_SECRET,
        with_sample_content=True,
        sample_dir=sample_dir,
    )


def _new_tool(slug: str) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": slug.title(),
        "vendor": "Test vendor",
        "tagline": "Made by the test suite",
        "category": "testing",
        "pricing_entry": "free",
        "open_weights": True,
        "model_sizes": ["7B", "70B"],
    }


async def _create_tool(
    http: aiohttp.ClientSession, server: DirectusServer, slug: str
) -> dict[str, Any]:
    async with http.post(
        f"{server.url}/items/tools", headers=_auth(server.admin_token), json=_new_tool(slug)
    ) as response:
        assert response.status == 200, await response.text()
        item: dict[str, Any] = (await response.json())["data"]
        return item


async def test_our_pools_drop_idle_connections_before_directus_closes_them(
    directus: DirectusServer,
) -> None:
    """Directus closes an idle keep-alive connection after Node's keepAliveTimeout; a POST sent on
    one as it closes is lost, so every pool we open on a CMS (cms_connector) gives them up first."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{directus.url}/server/ping") as response,
    ):
        assert response.status == 200
        assert_pool_drops_first(response)


async def test_provision_is_idempotent(
    directus: DirectusServer,
    provisioned: ProvisionResult,
    webhook_receiver: WebhookReceiver,
    sample_dir: Path,
    http: aiohttp.ClientSession,
) -> None:
    assert provisioned.changes, "the first run should have created the schema"
    assert provisioned.flow_id is not None
    for name in MODEL["collections"]:
        path = sample_dir / f"{name}.json"
        if path.is_file():
            expected = len(json.loads(path.read_text())["data"])
            assert provisioned.items_created.get(name, 0) == expected

    before = await _snapshot(http, directus)
    again = await provision(
        directus.url,
        directus.admin_token,
        webhook_url=webhook_receiver.url,
        webhook_secret=WEBHOOK_SECRET,
        with_sample_content=True,
        sample_dir=sample_dir,
    )
    after = await _snapshot(http, directus)

    assert again.changes == ()
    assert again.items_created == {}
    assert again.worker_token == provisioned.worker_token
    assert again.worker_user_id == provisioned.worker_user_id
    assert again.flow_id == provisioned.flow_id
    for key in before:
        assert after[key] == before[key], f"second provision changed {key}"
    names = {c["collection"] for c in after["/collections"]}
    assert set(MODEL["collections"]) <= names
    assert next(f for f in after["/flows"] if f["id"] == provisioned.flow_id)["operation"]


async def test_worker_token_reads_but_cannot_write(
    directus: DirectusServer, provisioned: ProvisionResult, http: aiohttp.ClientSession
) -> None:
    tool = await _create_tool(http, directus, "worker-read-check")
    worker = _auth(provisioned.worker_token)

    read = await _get(http, f"{directus.url}/items/tools/{tool['id']}", provisioned.worker_token)
    assert read["slug"] == "worker-read-check"
    assert read["open_weights"] is True
    assert read["model_sizes"] == ["7B", "70B"]
    for name in MODEL["collections"]:
        await _get(http, f"{directus.url}/items/{name}", provisioned.worker_token, limit="1")
    await _get(http, f"{directus.url}/activity", provisioned.worker_token, limit="1")

    attempts = [
        http.post(f"{directus.url}/items/tools", headers=worker, json=_new_tool("nope")),
        http.patch(f"{directus.url}/items/tools/{tool['id']}", headers=worker, json={"name": "x"}),
        http.delete(f"{directus.url}/items/tools/{tool['id']}", headers=worker),
        http.post(f"{directus.url}/fields/tools", headers=worker, json={"field": "x"}),
    ]
    for attempt in attempts:
        async with attempt as response:
            assert response.status == 403, await response.text()


async def test_date_updated_is_set_on_create_and_on_update(
    directus: DirectusServer, provisioned: ProvisionResult, http: aiohttp.ClientSession
) -> None:
    tool = await _create_tool(http, directus, "timestamp-check")
    created_at = tool["date_updated"]
    assert created_at is not None, "date_updated must be set on create"
    assert TIMESTAMP.match(created_at), created_at
    assert TIMESTAMP.match(tool["date_created"]), tool["date_created"]

    await asyncio.sleep(0.02)
    async with http.patch(
        f"{directus.url}/items/tools/{tool['id']}",
        headers=_auth(directus.admin_token),
        json={"tagline": "Updated by the test suite"},
    ) as response:
        assert response.status == 200, await response.text()
        updated = (await response.json())["data"]
    assert TIMESTAMP.match(updated["date_updated"]), updated["date_updated"]
    assert updated["date_updated"] > created_at
    assert updated["date_created"] == tool["date_created"]

    token = provisioned.worker_token
    url = f"{directus.url}/items/tools"
    since_create = await _get(
        http, url, token, **{"filter[date_updated][_gt]": created_at, "fields": "id"}
    )
    assert tool["id"] in [row["id"] for row in since_create]
    since_update = await _get(
        http, url, token, **{"filter[date_updated][_gt]": updated["date_updated"], "fields": "id"}
    )
    assert tool["id"] not in [row["id"] for row in since_update]


async def test_flow_delivers_webhooks(
    directus: DirectusServer,
    provisioned: ProvisionResult,
    webhook_receiver: WebhookReceiver,
    http: aiohttp.ClientSession,
) -> None:
    sent = time.monotonic()
    tool = await _create_tool(http, directus, "webhook-check")
    delivery = await webhook_receiver.wait_for("tools.items.create", tool["id"])
    latency_ms = (delivery.received_at - sent) * 1000
    print(f"\nDirectus webhook delivered {latency_ms:.0f} ms after the create request was sent")
    assert delivery.headers.get(WEBHOOK_SECRET_HEADER) == WEBHOOK_SECRET
    assert delivery.body["collection"] == "tools"
    assert delivery.body["key"] == tool["id"]

    async with http.delete(
        f"{directus.url}/items/tools/{tool['id']}", headers=_auth(directus.admin_token)
    ) as response:
        assert response.status == 204, await response.text()
    deleted = await webhook_receiver.wait_for("tools.items.delete", tool["id"])
    assert deleted.headers.get(WEBHOOK_SECRET_HEADER) == WEBHOOK_SECRET
    assert [str(k) for k in deleted.body["keys"]] == [str(tool["id"])]

    # The worker finds deletes in the activity log (item ids are strings there).
    rows = await _get(
        http,
        f"{directus.url}/activity",
        provisioned.worker_token,
        **{
            "filter[collection][_eq]": "tools",
            "filter[action][_eq]": "delete",
            "fields": "item,timestamp",
        },
    )
    assert str(tool["id"]) in [row["item"] for row in rows]
