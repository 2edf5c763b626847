"""Directus as an editor uses it, for the end-to-end tests: its REST API with the admin token,
a small seeded comparison page, a sync pass with the worker's token and a GraphQL query."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx

from cms_sync.directus.provision import ProvisionResult
from cms_sync.directus.server import DirectusServer
from cms_sync.directus.source import DirectusSource
from cms_sync.engine import SyncEngine, SyncReport

WEBHOOK_SECRET = "e2e-webhook-secret-0123456789abcdef"
WAIT = 30.0
"""Generous upper bound for something that must happen at all (not a performance figure)."""


@dataclass(frozen=True, slots=True)
class Cms:
    """Directus's REST API with the admin token: what the editors' app does."""

    http: aiohttp.ClientSession
    url: str
    token: str

    async def send(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.http.request(
            method, f"{self.url}{path}", json=body, headers=headers
        ) as response:
            text = await response.text()
            return response.status, (await response.json() if text else None)

    async def create(self, collection: str, item: dict[str, Any]) -> dict[str, Any]:
        status, document = await self.send("POST", f"/items/{collection}", item)
        assert status == 200, document
        created: dict[str, Any] = document["data"]
        return created

    async def update(self, collection: str, key: int, patch: dict[str, Any]) -> None:
        status, document = await self.send("PATCH", f"/items/{collection}/{key}", patch)
        assert status == 200, document

    async def delete(self, collection: str, key: int) -> None:
        status, document = await self.send("DELETE", f"/items/{collection}/{key}")
        assert status == 204, document

    async def try_delete(self, collection: str, key: int) -> int:
        status, _ = await self.send("DELETE", f"/items/{collection}/{key}")
        return status

    async def exists(self, collection: str, key: int) -> bool:
        status, _ = await self.send("GET", f"/items/{collection}/{key}?fields=id")
        assert status in (200, 403, 404)
        return status == 200


@dataclass(slots=True)
class Seeded:
    """A small comparison page seeded into Directus: ids by role, slugs carry ``tag``."""

    tag: str
    tools: dict[str, int] = field(default_factory=dict)
    reviewers: dict[str, int] = field(default_factory=dict)
    reviews: dict[tuple[str, str], int] = field(default_factory=dict)
    """(reviewer, tool) -> review id."""
    comparison: int = 0
    sides: dict[str, int] = field(default_factory=dict)
    """tool -> side id."""

    def slug(self, name: str) -> str:
        return f"{self.tag}-{name}"

    @property
    def comparison_slug(self) -> str:
        return self.slug("alpha-vs-beta")


PANEL = {
    # (reviewer, tool): verdict. alpha: 2 ship of 3 (67%), beta: 1 ship of 2 (50%).
    ("dx", "alpha"): "ship",
    ("rival", "alpha"): "ship",
    ("thesis", "alpha"): "skip",
    ("dx", "beta"): "skip",
    ("rival", "beta"): "ship",
}
LENSES = {"dx": "developer_experience", "rival": "competition", "thesis": "thesis"}


async def seed(cms: Cms) -> Seeded:
    seeded = Seeded(tag=f"e2e-{uuid.uuid4().hex[:8]}")
    for name in ("alpha", "beta"):
        item = await cms.create(
            "tools",
            {
                "status": "published",
                "slug": seeded.slug(name),
                "name": f"{name.title()} Coder",
                "vendor": f"{name.title()} Labs",
                "tagline": f"{name.title()} writes your code",
                "category": "code-assistant",
                "pricing_entry": "Free",
                "open_weights": name == "alpha",
                "model_sizes": ["7B"] if name == "alpha" else [],
            },
        )
        seeded.tools[name] = item["id"]
    for name, lens in LENSES.items():
        item = await cms.create(
            "reviewers",
            {"status": "published", "slug": seeded.slug(name), "name": name.title(), "lens": lens},
        )
        seeded.reviewers[name] = item["id"]
    item = await cms.create(
        "comparisons",
        {
            "status": "published",
            "slug": seeded.comparison_slug,
            "title": "Alpha vs Beta",
            "headline": "Which one should you ship with?",
            "voting_open": True,
            "published_at": "2025-01-02T03:04:05.000Z",
        },
    )
    seeded.comparison = item["id"]
    await add_sides(cms, seeded)
    for (reviewer, tool), verdict in PANEL.items():
        item = await cms.create(
            "reviews",
            {
                "status": "published",
                "reviewer": seeded.reviewers[reviewer],
                "tool": seeded.tools[tool],
                "verdict": verdict,
                "quote": f"{reviewer} on {tool}: {verdict}",
            },
        )
        seeded.reviews[(reviewer, tool)] = item["id"]
    return seeded


async def add_sides(cms: Cms, seeded: Seeded) -> None:
    for position, name in enumerate(("alpha", "beta"), start=1):
        side = {"comparison": seeded.comparison, "tool": seeded.tools[name], "sort": position}
        seeded.sides[name] = (await cms.create("comparison_sides", side))["id"]


async def query(api: httpx.AsyncClient, document: str, **variables: Any) -> dict[str, Any]:
    response = await api.post("/graphql", json={"query": document, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


async def sync(
    directus: DirectusServer,
    provisioned: ProvisionResult,
    *,
    full: bool = False,
    quarantine_expected: bool = False,
) -> SyncReport:
    """One sync pass with the worker's read-only token; fails on a quarantine unless expected."""
    async with DirectusSource(directus.url, provisioned.worker_token) as source:
        report = await SyncEngine(source).run(full=full)
    if not quarantine_expected:
        assert not report.quarantine_reasons, report.quarantine_reasons
    return report


def invalid_tool(slug: str, name: str, *, status: str) -> dict[str, Any]:
    """A tool the sync sets aside: its tagline is blank (issue ``missing_field``, "tagline is
    required"); otherwise valid, so that setting a tagline fixes it."""
    return {
        "status": status,
        "slug": slug,
        "name": name,
        "vendor": "Gamma Labs",
        "tagline": "   ",
        "category": "code-assistant",
        "pricing_entry": "Free",
        "open_weights": False,
    }
