"""Deletions and unpublishes reach the feed as tombstones; a republish comes back as a change."""

from __future__ import annotations

from typing import Any

from tests.support.clients import api_client
from tests.support.cms_model import MemoryCms
from tests.support.feed_client import CONTENT_CHANGES, OfflineCopy, post, served
from verdict.settings import Settings


async def _changes(http: Any, since: str | None) -> tuple[list[dict[str, Any]], str]:
    page = (await post(http, CONTENT_CHANGES, {"since": since, "first": 50}))["contentChanges"]
    return page["changes"], page["nextToken"]


async def test_unpublish_delete_and_republish(db: Settings) -> None:
    cms = MemoryCms()
    await cms.put_comparison(1, (1, 2))
    await cms.put_comparison(2, (2, 3))
    async with api_client(db) as http:
        copy = OfflineCopy(first=2)
        await copy.catch_up(http)
        assert set(copy.state().comparisons) == {"comparison-1", "comparison-2"}
        token = copy.token

        await cms.put_comparison(1, (1, 2), status="draft")
        await cms.delete("comparisons", {2})
        changes, token = await _changes(http, token)
        removed = {c["slug"]: c["removed"]["reason"] for c in changes if c["removed"]}
        assert removed == {"comparison-1": "UNPUBLISHED", "comparison-2": "DELETED"}
        await copy.catch_up(http)
        assert copy.state() == await served(http)
        assert copy.state().comparisons == {}

        await cms.put_comparison(1, (1, 2), status="published", title="Back again")
        changes, token = await _changes(http, token)
        back = [c for c in changes if c["type"] == "COMPARISON"]
        assert [(c["slug"], c["removed"], c["comparison"]["title"]) for c in back] == [
            ("comparison-1", None, "Back again")
        ]
        await copy.catch_up(http)
        assert copy.state() == await served(http)


async def test_a_new_app_gets_no_tombstones_of_what_was_gone_before_it_started(
    db: Settings,
) -> None:
    cms = MemoryCms()
    await cms.put_comparison(1, (1, 2))
    await cms.delete("comparisons", {1})
    await cms.put_tool(3, status="draft")
    async with api_client(db) as http:
        copy = OfflineCopy(first=2)
        await copy.catch_up(http)
        assert copy.seen_tombstones == 0
        assert copy.state() == await served(http)


async def test_a_renamed_comparison_keeps_its_key(db: Settings) -> None:
    cms = MemoryCms()
    await cms.put_comparison(1, (1, 2))
    async with api_client(db) as http:
        copy = OfflineCopy(first=5)
        await copy.catch_up(http)
        await cms.put_comparison(1, (1, 2), slug="comparison-one")
        await copy.catch_up(http)
        assert set(copy.state().comparisons) == {"comparison-one"}
        assert copy.state() == await served(http)
