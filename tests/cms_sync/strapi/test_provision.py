"""Provisioning a real Strapi: idempotent, a read-only worker token, the webhook with its secret
header, and a clear error when the Strapi lacks Verdict's content types."""

from __future__ import annotations

import aiohttp
import pytest

from cms_sync.strapi.provision import (
    WEBHOOK_NAME,
    AdminApi,
    ProvisionError,
    ProvisionResult,
    check_content_types,
    provision,
)
from cms_sync.strapi.server import StrapiServer
from cms_sync.webhooks import SECRET_HEADER
from tests.support.strapi_content import TIMEOUT, WEBHOOK_SECRET

pytestmark = pytest.mark.strapi


async def test_provision_is_idempotent_and_registers_the_webhook(
    strapi: StrapiServer, strapi_provisioned: ProvisionResult
) -> None:
    url = "http://127.0.0.1:18065/webhooks/strapi"
    first = await provision(
        strapi.url,
        strapi.admin_email,
        strapi.admin_password,
        webhook_url=url,
        webhook_secret=WEBHOOK_SECRET,
    )
    assert first.changes == (f"created webhook {WEBHOOK_NAME} to {url}",)
    assert first.worker_token == strapi_provisioned.worker_token  # read back, not replaced
    again = await provision(
        strapi.url,
        strapi.admin_email,
        strapi.admin_password,
        webhook_url=url,
        webhook_secret=WEBHOOK_SECRET,
    )
    assert again.changes == ()
    assert again.webhook_id == first.webhook_id
    moved = await provision(
        strapi.url,
        strapi.admin_email,
        strapi.admin_password,
        webhook_url=url.replace("18065", "18066"),
        webhook_secret=WEBHOOK_SECRET,
    )
    assert moved.changes == (f"updated webhook {WEBHOOK_NAME}",)

    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        api = AdminApi(http, strapi.url)
        await api.login(strapi.admin_email, strapi.admin_password)
        hooks = (await api.call("GET", "/admin/webhooks"))["data"]
        hook = next(h for h in hooks if h["name"] == WEBHOOK_NAME)
        assert hook["headers"] == {SECRET_HEADER: WEBHOOK_SECRET}
        assert {"entry.delete", "entry.unpublish"} <= set(hook["events"])
        assert hook["url"].endswith(":18066/webhooks/strapi")
        # The worker's token reads and cannot write.
        headers = {"Authorization": f"Bearer {first.worker_token}"}
        async with http.get(f"{strapi.url}/api/tools?status=draft", headers=headers) as response:
            assert response.status == 200
        body = {"data": {"slug": "nope"}}
        async with http.post(f"{strapi.url}/api/tools", json=body, headers=headers) as response:
            assert response.status == 403


async def test_a_strapi_without_the_types_is_refused_with_the_fix(strapi: StrapiServer) -> None:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        api = AdminApi(http, strapi.url)
        await api.login(strapi.admin_email, strapi.admin_password)
        await check_content_types(api)  # this one serves them all

        class Hollow(AdminApi):
            async def call(self, method: str, path: str, body: object = None) -> object:
                return {"data": [{"uid": "api::tool.tool", "attributes": {"slug": {}}}]}

        with pytest.raises(
            ProvisionError, match=r"api::tool.tool lacks name, .*content_types --write"
        ):
            await check_content_types(Hollow(http, strapi.url))


async def test_wrong_admin_credentials_are_a_provision_error(strapi: StrapiServer) -> None:
    with pytest.raises(ProvisionError, match="POST /admin/login answered 400"):
        await provision(
            strapi.url, strapi.admin_email, "Wrong-Passw0rd", webhook_url=None, webhook_secret=None
        )
