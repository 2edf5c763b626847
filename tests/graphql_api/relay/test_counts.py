"""``comparisons.totalCount`` is cached per app (graphql_api.relay.counts) and stays exact: every
change the sync makes bumps the content versions the cached counts are stored with, drafts are
counted for previews only, and every order and filter counts the list it pages through."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from tortoise.transactions import in_transaction

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from devtools.sql_counter import QueryCounter
from graphql_api.app import create_app
from graphql_api.preview.tokens import HEADER_NAME, PreviewSigner
from graphql_api.relay.counts import CountCache
from graphql_api.settings import ApiSettings
from tests.support.content import SAMPLE_CONTENT
from tests.support.fake_directus import now_ms, stamp
from verdict.content_versions import bump
from verdict.models.content import Comparison, Status
from verdict.settings import DEV_SECRET_KEY, Settings

LISTING = """
query Count($filter: ComparisonFilter, $orderBy: ComparisonOrder) {
  comparisons(first: 100, filter: $filter, orderBy: $orderBy) { totalCount nodes { slug } }
}"""
FILTERS: dict[str, dict[str, str] | None] = {
    "all": None,
    "code-llama-4": {"toolSlug": "code-llama-4"},
    "halyard-coder": {"toolSlug": "halyard-coder"},
    "developer tools": {"category": "Developer Tools"},
    "writing": {"category": "Writing Assistants"},
}
Counts = dict[str, int]


@dataclasses.dataclass
class Api:
    app: Starlette
    http: httpx.AsyncClient
    preview_token: str

    async def listing(
        self, filter: dict[str, str] | None, order: str = "NEWEST", *, preview: bool = False
    ) -> tuple[int, int]:
        """(totalCount, how many comparisons the list holds) for one filter and order."""
        headers = {HEADER_NAME: self.preview_token} if preview else {}
        body = {"query": LISTING, "variables": {"filter": filter, "orderBy": order}}
        response = await self.http.post("/graphql", json=body, headers=headers)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        comparisons = payload["data"]["comparisons"]
        return comparisons["totalCount"], len(comparisons["nodes"])

    async def counts(self, *, preview: bool = False) -> Counts:
        """totalCount per filter, checked against the list itself in both orders."""
        found = {}
        for name, filter in FILTERS.items():
            newest, listed = await self.listing(filter, preview=preview)
            most_voted, _ = await self.listing(filter, "MOST_VOTED", preview=preview)
            assert newest == most_voted == listed, (name, newest, most_voted, listed)
            found[name] = newest
        return found


@pytest.fixture
async def api(demo_db: Settings) -> AsyncIterator[Api]:
    """The API without its response and edge caches: totalCount comes from the resolver."""
    api = ApiSettings(response_cache=False, edge_cache=False)
    app = create_app(demo_db, api=api, manage_database=False)
    token = PreviewSigner.from_secret(DEV_SECRET_KEY).issue(1)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://verdict.test") as http:
            yield Api(app, http, token)
    finally:
        await app.state.voting.stop()


def _stamped(entry: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return entry | changes | {"date_updated": stamp(now_ms())}


async def _sync(
    tmp_path: Path, name: str, edit: Callable[[dict[str, list[dict[str, Any]]]], None]
) -> None:
    """A full sync of the sample content as ``edit`` changes it (changed entries re-stamped)."""
    folder = tmp_path / name
    shutil.copytree(SAMPLE_CONTENT, folder)
    collections = {
        path.stem: json.loads(path.read_text())["data"] for path in folder.glob("*.json")
    }
    edit(collections)
    for collection, entries in collections.items():
        (folder / f"{collection}.json").write_text(json.dumps({"data": entries}))
    report = await SyncEngine(ExportSource(folder)).run(full=True)
    assert report.changed


def _replace(entries: list[dict[str, Any]], entry_id: int, **changes: Any) -> None:
    (index,) = [i for i, e in enumerate(entries) if e["id"] == entry_id]
    entries[index] = _stamped(entries[index], **changes)


PUBLIC = {"all": 6, "code-llama-4": 1, "halyard-coder": 0, "developer tools": 4, "writing": 2}
PREVIEW = {"all": 7, "code-llama-4": 2, "halyard-coder": 1, "developer tools": 5, "writing": 2}


async def test_total_count_follows_every_sync_change(api: Api, tmp_path: Path) -> None:
    # Each step reads every count first (so the cache holds them all), then syncs a change that
    # moves some counts and not others, through the collection it belongs to.
    assert await api.counts() == PUBLIC
    assert await api.counts(preview=True) == PREVIEW
    assert len(api.app.state.counts) == 2 * len(FILTERS)

    # A tool changes category (tools only): Quillmate's two comparisons join Developer Tools.
    await _sync(
        tmp_path,
        "tool",
        lambda c: _replace(c["tools"], 7, category="Developer Tools"),
    )
    assert await api.counts() == PUBLIC | {"developer tools": 6}
    assert await api.counts(preview=True) == PREVIEW | {"developer tools": 7}

    # A new side (comparison_sides only) puts Code Llama 4 on comparison 2 as well.
    def add_side(collections: dict[str, list[dict[str, Any]]]) -> None:
        _replace(collections["tools"], 7, category="Developer Tools")
        side = {"id": 16, "comparison": 2, "tool": 1, "sort": 3}
        collections["comparison_sides"].append(_stamped(side, date_created=stamp(now_ms())))

    await _sync(tmp_path, "side", add_side)
    assert await api.counts() == PUBLIC | {"developer tools": 6, "code-llama-4": 2}
    assert await api.counts(preview=True) == PREVIEW | {"developer tools": 7, "code-llama-4": 3}

    # A comparison goes back to draft: gone from the public counts, still in the preview's.
    def unpublish(collections: dict[str, list[dict[str, Any]]]) -> None:
        add_side(collections)
        _replace(collections["comparisons"], 6, status="draft")

    await _sync(tmp_path, "draft", unpublish)
    assert await api.counts() == PUBLIC | {"all": 5, "developer tools": 5, "code-llama-4": 2}
    assert await api.counts(preview=True) == PREVIEW | {"developer tools": 7, "code-llama-4": 3}

    # A comparison deleted in the CMS (its sides go with it).
    def delete(collections: dict[str, list[dict[str, Any]]]) -> None:
        unpublish(collections)
        collections["comparisons"] = [e for e in collections["comparisons"] if e["id"] != 3]
        sides = collections["comparison_sides"]
        collections["comparison_sides"] = [e for e in sides if e["comparison"] != 3]

    await _sync(tmp_path, "delete", delete)
    assert await api.counts() == PUBLIC | {"all": 4, "developer tools": 4, "code-llama-4": 2}
    assert await api.counts(preview=True) == PREVIEW | {
        "all": 6,
        "developer tools": 6,
        "code-llama-4": 3,
    }


async def test_a_count_is_kept_until_its_collection_version_changes(api: Api) -> None:
    """The cache trusts the content versions: a write must bump its collection in its own
    transaction (as the sync does), and then the next request counts again."""
    assert await api.listing(None) == (6, 6)
    await Comparison.filter(id=6).update(status=Status.DRAFT)  # bypasses the sync: no bump
    assert await api.listing(None) == (6, 5)  # the list shows the change, the count is cached
    async with in_transaction() as conn:
        await bump(["reviews"], conn)  # another collection: still the cached count
    assert await api.listing(None) == (6, 5)
    async with in_transaction() as conn:
        await bump(["comparisons"], conn)
    assert await api.listing(None) == (5, 5)
    assert await api.listing(None, "MOST_VOTED") == (5, 5)


async def test_the_cache_keeps_the_most_recently_used_counts(
    demo_db: Settings, sql_queries: QueryCounter
) -> None:
    cache = CountCache(max_entries=2)
    published = Comparison.filter(status__in=[Status.PUBLISHED])
    everything = Comparison.all()
    drafts = Comparison.filter(status__in=[Status.DRAFT])

    async def count(key: str, query: Any) -> tuple[int, str]:
        """The count, and whether it was counted or kept (one statement either way)."""
        before = sql_queries.count
        total = await cache.count(key, query, ("comparisons",))
        (statement,) = sql_queries.statements[before:]
        return total, "counted" if "COUNT(" in statement else "kept"

    assert await count("published", published) == (6, "counted")
    assert await count("published", published) == (6, "kept")
    assert await count("all", everything) == (7, "counted")
    assert await count("drafts", drafts) == (1, "counted")
    assert len(cache) == 2  # "published" was the least recently used: dropped
    assert await count("all", everything) == (7, "kept")
    assert await count("published", published) == (6, "counted")  # "drafts" dropped now
    assert await count("all", everything) == (7, "kept")
    assert await count("drafts", drafts) == (1, "counted")
    with pytest.raises(ValueError, match="at least 1"):
        CountCache(max_entries=0)
