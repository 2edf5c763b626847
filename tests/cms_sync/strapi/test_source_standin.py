"""StrapiSource against the Strapi stand-in (tests/support/fake_strapi.py), which the sync
benchmark serves: the same walks as against the real Strapi, at benchmark sizes' speed; and the
stand-in's answers compared with a real Strapi's for the same documents."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cms_sync.http import JsonClient
from cms_sync.source import RawEntry, SourceError
from cms_sync.strapi.provision import ProvisionResult
from cms_sync.strapi.server import StrapiServer
from cms_sync.strapi.source import StrapiSource
from tests.support.content import review, reviewer, tool
from tests.support.fake_strapi import TOKEN, FakeStrapi
from tests.support.strapi_content import StrapiEditor, reviewer_data, tool_data


@pytest.fixture
async def fake() -> AsyncIterator[FakeStrapi]:
    server = FakeStrapi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def _walk(source: StrapiSource, collection: str, since: datetime | None) -> list[RawEntry]:
    return [e async for page in source.changed(collection, since, datetime.now(UTC)) for e in page]


async def test_a_walk_pages_through_every_document_in_key_order(fake: FakeStrapi) -> None:
    base = datetime.now(UTC) - timedelta(days=1)
    for i in range(1, 26):
        fake.put(
            "tools",
            tool(i, status="published" if i % 5 else "draft"),
            at=base + timedelta(seconds=i),
        )
    async with StrapiSource(
        fake.url, TOKEN, page_size=10, read_chunk=4, list_page_size=3
    ) as source:
        pages = [p async for p in source.changed("tools", None, datetime.now(UTC))]
        assert [len(p) for p in pages] == [10, 10, 5]  # reads of 4, 4 and 2 make a page of 10
        entries = [e for p in pages for e in p]
        assert [e["id"] for e in entries] == [str(i) for i in range(1, 26)]
        assert [e["status"] for e in entries[3:6]] == ["published", "draft", "published"]
        assert entries[0]["name"] == "Tool 1"
        assert await source.all_ids("tools") == {str(i) for i in range(1, 26)}
        assert await _walk(source, "tools", base + timedelta(seconds=23.5)) == entries[23:]


async def test_relations_unpublish_and_delete(fake: FakeStrapi) -> None:
    base = datetime.now(UTC) - timedelta(hours=1)
    fake.put("tools", tool(1, status="draft"), at=base)
    fake.put("reviewers", reviewer(2), at=base)
    fake.put("reviews", review(3, 1, 2), at=base)
    async with StrapiSource(fake.url, TOKEN) as source:
        (entry,) = await _walk(source, "reviews", None)
        assert (entry["tool"], entry["reviewer"], entry["status"]) == ("1", "2", "published")
        since = datetime.now(UTC)
        fake.unpublish("reviews", "3")
        assert await _walk(source, "reviews", since) == []
        source.note_changed("reviews", frozenset({"3"}))
        (after,) = await _walk(source, "reviews", since)
        assert after["status"] == "draft"
        assert after["date_updated"] != entry["date_updated"]
        fake.delete("reviewers", "2")
        source.note_deleted("reviewers", frozenset({"2"}))
        assert await source.deleted_since("reviewers", since) == {"2"}


async def test_a_parameter_the_stand_in_does_not_know_is_a_400(fake: FakeStrapi) -> None:
    async with JsonClient(fake.url, TOKEN) as client:
        with pytest.raises(SourceError, match="400"):
            await client.get("/api/tools", {"sort[0]": "updatedAt:asc"}, what="tools")


async def test_hints_outlive_a_failed_pass(fake: FakeStrapi) -> None:
    fake.put("tools", tool(1))
    async with StrapiSource(fake.url, "wrong-token") as source:
        source.note_deleted("tools", frozenset({"9"}))
        source.note_changed("tools", frozenset({"1"}))
        with pytest.raises(SourceError, match="401"):
            await source.deleted_since("tools", datetime.now(UTC))
        with pytest.raises(SourceError, match="401"):
            await _walk(source, "tools", datetime.now(UTC))
        assert source.hints.take_deleted("tools") == {"9"}
        assert source.hints.take_changed("tools") == {"1"}


@pytest.mark.strapi
async def test_the_stand_in_answers_as_the_real_strapi_does(
    fake: FakeStrapi,
    strapi: StrapiServer,
    strapi_provisioned: ProvisionResult,
    editor: StrapiEditor,
) -> None:
    """The same documents in both; the same queries; the same keys, links and versions."""
    run = secrets.token_hex(3)
    draft_tool = await editor.create("tools", tool_data(f"fid-d-{run}"), publish=False)
    live_tool = await editor.create("tools", tool_data(f"fid-l-{run}"), publish=True)
    person = await editor.create("reviewers", reviewer_data(f"fid-r-{run}"), publish=True)
    takes = [
        await editor.create(
            "reviews",
            {"reviewer": person, "tool": tool_id, "verdict": "ship", "quote": "Q"},
            publish=True,
        )
        for tool_id in (draft_tool, live_tool)
    ]
    async with StrapiSource(strapi.url, strapi_provisioned.worker_token) as real:
        for collection, ids in (("tools", [draft_tool, live_tool]), ("reviewers", [person])):
            for entry in await real.read(collection, ids):
                fake.put(collection, entry)
        for entry in await real.read("reviews", takes):
            fake.put("reviews", entry)
    populate = {
        "populate[tool][fields][0]": "documentId",
        "populate[reviewer][fields][0]": "documentId",
    }
    queries: list[tuple[str, dict[str, str]]] = [
        ("tools", {"status": "draft", "fields[0]": "documentId", "fields[1]": "updatedAt"}),
        ("tools", {"status": "published"}),
        ("reviews", {"status": "published", **populate}),
        ("reviews", {"status": "draft", **populate}),
    ]
    async with (
        JsonClient(strapi.url, strapi_provisioned.worker_token) as real_http,
        JsonClient(fake.url, TOKEN) as fake_http,
    ):
        for plural, params in queries:
            wanted = {**params, "pagination[pageSize]": "10"}
            ids = takes if plural == "reviews" else [draft_tool, live_tool]
            for index, document_id in enumerate(ids):
                wanted[f"filters[documentId][$in][{index}]"] = document_id
            real_rows = (await real_http.get(f"/api/{plural}", wanted, what=plural))["data"]
            fake_rows = (await fake_http.get(f"/api/{plural}", wanted, what=plural))["data"]
            assert real_rows, (plural, params)
            assert _shape(real_rows) == _shape(fake_rows), (plural, params)


def _shape(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows by documentId, row ids and timestamps left out (they differ by construction)."""
    shaped = []
    for row in sorted(rows, key=lambda r: str(r["documentId"])):
        out: dict[str, Any] = {}
        for key, value in row.items():
            if key in ("id", "createdAt", "updatedAt"):
                out[key] = "present"
            elif key == "publishedAt":
                out[key] = value is not None
            elif isinstance(value, dict):
                out[key] = {k: (v if k == "documentId" else "present") for k, v in value.items()}
            else:
                out[key] = value
        shaped.append(out)
    return shaped
