"""Editing a real Strapi as an editor would, for the Strapi tests: REST with a full-access token
for create, edit, publish and delete, and the admin API (the editor's own) for unpublish, which
Strapi's REST API does not offer."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from cms_sync.strapi.content_types import strapi_type
from cms_sync.strapi.provision import ProvisionResult, provision
from cms_sync.strapi.server import StrapiServer, free_port
from tests.support.services import require_service

WEBHOOK_SECRET = "strapi-webhook-secret-0123456789abcdef"
WAIT = 30.0
TIMEOUT = aiohttp.ClientTimeout(total=WAIT)


def require_strapi() -> None:
    """Opt-in locally (the first install takes minutes); a failure under CI when not enabled."""
    if not os.environ.get("VERDICT_TEST_STRAPI"):
        require_service("Strapi", "VERDICT_TEST_STRAPI=1")


@contextlib.asynccontextmanager
async def running_strapi(data_dir: Path) -> AsyncIterator[StrapiServer]:
    require_strapi()
    # The tests log in to the admin API more often than its limit of five per five minutes.
    no_limit = {"ADMIN_RATE_LIMIT": "false"}
    async with StrapiServer(data_dir, port=free_port(), extra_env=no_limit) as server:
        yield server


async def provision_for_tests(server: StrapiServer, webhook_port: int | None) -> ProvisionResult:
    return await provision(
        server.url,
        server.admin_email,
        server.admin_password,
        webhook_url=None
        if webhook_port is None
        else f"http://127.0.0.1:{webhook_port}/webhooks/strapi",
        webhook_secret=WEBHOOK_SECRET,
        editor_token=True,
    )


@dataclass
class StrapiEditor:
    """One editor's hands on the Strapi: ``collection`` is Verdict's name for the type."""

    http: aiohttp.ClientSession
    server: StrapiServer
    token: str
    _jwt: str | None = None

    def _rest(self, collection: str) -> str:
        return f"{self.server.url}/api/{strapi_type(collection).plural}"

    async def _send(
        self, method: str, url: str, body: dict[str, Any] | None, bearer: str
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {bearer}"}
        async with self.http.request(method, url, json=body, headers=headers) as response:
            text = await response.text()
            assert response.status < 300, f"{method} {url}: {response.status} {text[:300]}"
            if not text:
                return {}
            document: dict[str, Any] = await response.json(content_type=None)
            return document

    async def create(self, collection: str, data: dict[str, Any], *, publish: bool) -> str:
        status = "published" if publish else "draft"
        document = await self._send(
            "POST", f"{self._rest(collection)}?status={status}", {"data": data}, self.token
        )
        document_id: str = document["data"]["documentId"]
        return document_id

    async def edit(
        self, collection: str, document_id: str, data: dict[str, Any], *, publish: bool
    ) -> None:
        """Save the draft; ``publish`` publishes it too (the editor's "Save and publish")."""
        status = "published" if publish else "draft"
        url = f"{self._rest(collection)}/{document_id}?status={status}"
        await self._send("PUT", url, {"data": data}, self.token)

    async def delete(self, collection: str, document_id: str) -> None:
        """Delete the document (every version)."""
        await self._send("DELETE", f"{self._rest(collection)}/{document_id}", None, self.token)

    async def unpublish(self, collection: str, document_id: str) -> None:
        uid = strapi_type(collection).uid
        url = (
            f"{self.server.url}/content-manager/collection-types/{uid}/{document_id}"
            "/actions/unpublish"
        )
        await self._send("POST", url, {}, await self._admin_jwt())

    async def _admin_jwt(self) -> str:
        if self._jwt is None:
            document = await self._send(
                "POST",
                f"{self.server.url}/admin/login",
                {"email": self.server.admin_email, "password": self.server.admin_password},
                "",
            )
            self._jwt = str(document["data"]["token"])
        return self._jwt


def tool_data(slug: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": slug,
        "name": f"Tool {slug}",
        "vendor": "Vendor",
        "tagline": "A tagline",
        "category": "assistant",
        "pricing_entry": "free",
        "open_weights": False,
        "model_sizes": ["7B"],
    }
    data.update(changes)
    return data


def reviewer_data(slug: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"slug": slug, "name": f"Reviewer {slug}", "lens": "thesis"}
    data.update(changes)
    return data


def comparison_data(slug: str, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": slug,
        "title": f"Comparison {slug}",
        "headline": "Which one?",
        "voting_open": True,
    }
    data.update(changes)
    return data
