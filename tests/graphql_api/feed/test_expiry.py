"""Retention: pruning old tombstones expires the tokens that had not seen them, not the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.clients import api_client
from tests.support.cms_model import MemoryCms
from tests.support.feed_client import CONTENT_CHANGES, OfflineCopy, post, served
from verdict.feed_log import prune
from verdict.models.feed import FeedChange
from verdict.settings import Settings


async def test_pruned_tombstones_expire_older_tokens_only(db: Settings) -> None:
    cms = MemoryCms()
    await cms.put_comparison(1, (1, 2))
    await cms.put_comparison(2, (1, 2))
    async with api_client(db) as http:
        behind = OfflineCopy(first=10)
        await behind.catch_up(http)
        await cms.delete("comparisons", {1})
        current = OfflineCopy(first=10)
        await current.catch_up(http)

        later = datetime.now(UTC) + timedelta(days=31)
        assert await prune(timedelta(days=30), now=later) == 1
        assert await FeedChange.filter(status="deleted").count() == 0

        expired = await post(http, CONTENT_CHANGES, {"since": behind.token})
        assert expired["contentChanges"]["__typename"] == "SyncTokenExpired"
        assert expired["contentChanges"]["retentionDays"] == 30
        fine = await post(http, CONTENT_CHANGES, {"since": current.token})
        assert fine["contentChanges"]["__typename"] == "ContentChangesPage"
        # Starting again, as the expiry tells the app to, gives the served state.
        again = OfflineCopy(first=10)
        await again.catch_up(http)
        assert again.state() == await served(http)


async def test_prune_keeps_recent_tombstones_and_drafts(db: Settings) -> None:
    cms = MemoryCms()
    await cms.put_comparison(1, (1, 2))
    await cms.put_tool(3, status="draft")
    await cms.delete("comparisons", {1})
    assert await prune(timedelta(days=30)) == 0
    later = datetime.now(UTC) + timedelta(days=31)
    assert await prune(timedelta(days=30), now=later) == 1
    assert await FeedChange.filter(kind="tools", entity_id=3).count() == 1
