"""StrapiSource against a real Strapi 5: windows over both versions, hints, ids, deletions.

Small sizes (2 ids a listing page, 2 documents a read, 3 a page) make every walk page.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from cms_sync.entries import parse_timestamp
from cms_sync.source import RawEntry
from cms_sync.strapi.provision import ProvisionResult
from cms_sync.strapi.server import StrapiServer
from cms_sync.strapi.source import StrapiSource
from tests.support.strapi_content import StrapiEditor, comparison_data, reviewer_data, tool_data

pytestmark = pytest.mark.strapi


def _source(strapi: StrapiServer, provisioned: ProvisionResult) -> StrapiSource:
    return StrapiSource(
        strapi.url, provisioned.worker_token, page_size=3, read_chunk=2, list_page_size=2
    )


async def _changed(
    source: StrapiSource, collection: str, since: datetime | None
) -> list[list[RawEntry]]:
    return [page async for page in source.changed(collection, since, datetime.now(UTC))]


def _by_id(pages: list[list[RawEntry]]) -> dict[str, RawEntry]:
    return {str(e["id"]): e for page in pages for e in page}


async def test_a_full_walk_shows_what_the_public_sees_in_key_order(
    strapi: StrapiServer, strapi_provisioned: ProvisionResult, editor: StrapiEditor
) -> None:
    live = await editor.create("tools", tool_data("walk-live"), publish=True)
    draft = await editor.create("tools", tool_data("walk-draft"), publish=False)
    edited = await editor.create("tools", tool_data("walk-edited"), publish=True)
    await editor.edit("tools", edited, {"name": "Not yet live"}, publish=False)
    others = [await editor.create("tools", tool_data(f"walk-{i}"), publish=True) for i in range(3)]
    async with _source(strapi, strapi_provisioned) as source:
        pages = await _changed(source, "tools", None)
        entries = _by_id(pages)
        assert {live, draft, edited, *others} <= set(entries)
        assert all(len(page) <= 3 for page in pages)
        assert entries[live]["status"] == "published"
        assert entries[draft]["status"] == "draft"
        assert entries[edited]["status"] == "published"
        assert entries[edited]["name"] == "Tool walk-edited"  # the draft's edit is not live
        assert entries[live]["model_sizes"] == ["7B"]
        stamps = [parse_timestamp(str(e["date_updated"])) for page in pages for e in page]
        assert stamps == sorted(stamps)
        assert await source.all_ids("tools") == set(entries)


async def test_a_window_sees_edits_publishes_and_hinted_unpublishes(
    strapi: StrapiServer, strapi_provisioned: ProvisionResult, editor: StrapiEditor
) -> None:
    reviewer = await editor.create("reviewers", reviewer_data("win-r"), publish=True)
    draft_tool = await editor.create("tools", tool_data("win-draft"), publish=False)
    tool = await editor.create("tools", tool_data("win-tool"), publish=True)
    review = await editor.create(
        "reviews",
        {"reviewer": reviewer, "tool": draft_tool, "verdict": "ship", "quote": "Good."},
        publish=True,
    )
    await asyncio.sleep(0.05)
    since = datetime.now(UTC)
    await asyncio.sleep(0.05)
    async with _source(strapi, strapi_provisioned) as source:
        assert _by_id(await _changed(source, "tools", since)) == {}

        await editor.edit("tools", tool, {"tagline": "Sharper"}, publish=True)
        await editor.edit("tools", draft_tool, {"tagline": "Draft edit"}, publish=False)
        seen = _by_id(await _changed(source, "tools", since))
        assert set(seen) == {tool, draft_tool}
        assert seen[tool]["tagline"] == "Sharper"
        assert seen[tool]["status"] == "published"
        assert seen[draft_tool]["status"] == "draft"
        # A published review keeps its link to a tool that is not published (from the draft).
        reviews = _by_id(await _changed(source, "reviews", None))
        assert reviews[review]["tool"] == draft_tool
        assert reviews[review]["reviewer"] == reviewer

        later = datetime.now(UTC)
        await asyncio.sleep(0.05)
        stamp_before = seen[tool]["date_updated"]
        await editor.unpublish("tools", tool)
        assert _by_id(await _changed(source, "tools", later)) == {}  # no timestamp moved
        source.note_changed("tools", frozenset({tool}))
        after = _by_id(await _changed(source, "tools", later))
        assert set(after) == {tool}
        assert after[tool]["status"] == "draft"
        assert after[tool]["date_updated"] != stamp_before
        assert _by_id(await _changed(source, "tools", later)) == {}  # the hint was used once


async def test_a_side_reads_its_comparison_and_tool_whatever_their_status(
    strapi: StrapiServer, strapi_provisioned: ProvisionResult, editor: StrapiEditor
) -> None:
    comparison = await editor.create("comparisons", comparison_data("side-c"), publish=False)
    tool = await editor.create("tools", tool_data("side-t"), publish=True)
    side = await editor.create(
        "comparison_sides", {"comparison": comparison, "tool": tool, "position": 3}, publish=True
    )
    async with _source(strapi, strapi_provisioned) as source:
        sides = _by_id(await _changed(source, "comparison_sides", None))
        assert {k: v for k, v in sides[side].items() if k != "date_updated"} == {
            "id": side,
            "comparison": comparison,
            "tool": tool,
            "sort": 3,
        }


async def test_a_deletion_is_reported_only_once_the_api_no_longer_has_it(
    strapi: StrapiServer, strapi_provisioned: ProvisionResult, editor: StrapiEditor
) -> None:
    gone = await editor.create("reviewers", reviewer_data("del-gone"), publish=True)
    kept = await editor.create("reviewers", reviewer_data("del-kept"), publish=False)
    since = datetime.now(UTC) - timedelta(minutes=1)
    async with _source(strapi, strapi_provisioned) as source:
        assert await source.deleted_since("reviewers", since) == set()
        await editor.delete("reviewers", gone)
        source.note_deleted("reviewers", frozenset({gone, kept, "nosuchdocument0000000000"}))
        assert await source.deleted_since("reviewers", since) == {gone, "nosuchdocument0000000000"}
        assert await source.deleted_since("reviewers", since) == set()
        ids = await source.all_ids("reviewers")
        assert kept in ids
        assert gone not in ids
