"""Fault injection against a fake Directus: each fault's outcome, and what the database holds.

A page is applied with its checkpoint in one transaction, so after any failure the database holds
exactly the pages before it, and the checkpoint says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from cms_sync.engine import SyncEngine
from cms_sync.entries import parse_timestamp
from cms_sync.source import SourceError
from tests.support.content import assert_mirrors, seed, tool
from tests.support.fake_directus import (
    FakeDirectus,
    Reply,
    SleepRecorder,
    SourceFactory,
    error_body,
)
from verdict.models.content import Review, Tool
from verdict.models.sync import QuarantinedEntry, SyncCheckpoint
from verdict.settings import Settings


async def _cursor(collection: str) -> datetime | None:
    checkpoint = await SyncCheckpoint.get_or_none(source="directus", collection=collection)
    return checkpoint.cursor if checkpoint is not None else None


async def _tool_ids() -> list[int]:
    # Tortoise types a flat values_list as tuples; it holds the ids themselves, as text: the
    # Directus source hands the engine its integer ids as their decimal text.
    ids: list[Any] = await Tool.all().values_list("id", flat=True)
    assert all(isinstance(i, str) for i in ids)
    return sorted(int(i) for i in ids)


def _updated(fake: FakeDirectus, collection: str, entry_id: int) -> datetime:
    return parse_timestamp(fake.items[collection][entry_id]["date_updated"])


async def _sync(directus: SourceFactory, *, full: bool = False, **options: object) -> None:
    async with directus(**options) as source:
        await SyncEngine(source).run(full=full)


async def test_429_waits_as_long_as_retry_after_says_then_syncs(
    db: Settings, fake: FakeDirectus, directus: SourceFactory, sleeps: SleepRecorder
) -> None:
    seed(fake, tools=5, reviewers=2, reviews=6)
    fake.fail(
        "/items/tools",
        None,  # first page fine
        Reply(429, error_body("Too many requests", "REQUESTS_EXCEEDED"), {"Retry-After": "7"}),
    )
    await _sync(directus)
    assert sleeps.delays == [7.0]
    await assert_mirrors(fake)


async def test_500s_are_retried_with_capped_backoff(
    db: Settings, fake: FakeDirectus, directus: SourceFactory, sleeps: SleepRecorder
) -> None:
    seed(fake, tools=5, reviewers=2, reviews=6)
    oops = error_body("An unexpected error occurred.", "INTERNAL_SERVER_ERROR")
    fake.fail("/items/reviews", Reply(500, oops), Reply(503, oops))
    await _sync(directus)
    assert len(sleeps.delays) == 2
    assert all(0 <= d <= 0.05 for d in sleeps.delays)
    await assert_mirrors(fake)


async def test_persistent_500_fails_cleanly_and_keeps_earlier_pages(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    seed(fake, tools=5, reviewers=2, reviews=6)
    fake.fail("/items/tools", None, *[Reply(500, b"{}")] * 4)
    with pytest.raises(SourceError, match=r"tools: GET /items/tools failed after 4 attempts"):
        await _sync(directus, attempts=4)
    # Page one (tools 1-2) is in, with its checkpoint; nothing after it.
    assert await _tool_ids() == [1, 2]
    assert await _cursor("tools") == _updated(fake, "tools", 2)
    assert await _cursor("reviews") is None


async def test_a_hang_past_the_timeout_is_retried(
    db: Settings, fake: FakeDirectus, directus: SourceFactory, sleeps: SleepRecorder
) -> None:
    seed(fake, tools=3, reviewers=1, reviews=2)
    fake.fail("/items/reviewers", Reply(hang=30))
    await _sync(directus, timeout=0.3)
    assert len(sleeps.delays) == 1
    await assert_mirrors(fake)


async def test_hanging_every_time_gives_up_with_the_database_unchanged(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    seed(fake, tools=3, reviewers=1, reviews=2)
    fake.fail("/items/tools", *[Reply(hang=30)] * 2)
    with pytest.raises(SourceError, match=r"tools: .*timed out"):
        await _sync(directus, timeout=0.3, attempts=2)
    assert await Tool.all().count() == 0
    assert await SyncCheckpoint.all().count() == 0


async def test_truncated_json_is_retried(
    db: Settings, fake: FakeDirectus, directus: SourceFactory, sleeps: SleepRecorder
) -> None:
    seed(fake, tools=5, reviewers=2, reviews=6)
    fake.fail("/items/tools", None, Reply(200, b'{"data": [{"id": 3, "status": "publ'))
    await _sync(directus)
    assert len(sleeps.delays) == 1
    await assert_mirrors(fake)


async def test_truncated_json_every_time_stops_with_a_correct_partial_database(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    seed(fake, tools=5, reviewers=2, reviews=6)
    fake.fail("/items/tools", None, *[Reply(200, b'{"data": [{"id": 3,')] * 3)
    with pytest.raises(SourceError, match=r"tools: .*invalid or truncated JSON"):
        await _sync(directus, attempts=3)
    assert await _tool_ids() == [1, 2]
    assert await _cursor("tools") == _updated(fake, "tools", 2)
    # Resuming picks up where the checkpoint says, and converges.
    await _sync(directus)
    await assert_mirrors(fake)


async def test_a_malformed_entry_is_quarantined_while_the_rest_syncs(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    seed(fake, tools=6, reviewers=2, reviews=6)
    fake.put("tools", tool(2, open_weights="yes"))  # wrong type
    fake.put("tools", tool(4, name=None))  # missing field
    fake.put("tools", tool(5, status="hidden"))  # unknown enum
    await _sync(directus)
    assert await _tool_ids() == [1, 3, 6]
    issues = {
        q.cms_id: q.reason_code
        for q in await QuarantinedEntry.filter(collection="tools", source="directus")
    }
    assert issues == {"2": "wrong_type", "4": "missing_field", "5": "unknown_enum"}
    # Reviews of quarantined tools wait for them rather than failing.
    waiting = await QuarantinedEntry.filter(collection="reviews").values_list("reason", flat=True)
    assert waiting
    assert all("waits for tools" in r for r in waiting)
    assert await _cursor("tools") == _updated(fake, "tools", 5)

    # An editor fixes the entries: the next incremental pass applies them and their reviews.
    for entry_id in (2, 4, 5):
        fake.put("tools", tool(entry_id))
    await _sync(directus)
    await assert_mirrors(fake)
    assert await QuarantinedEntry.all().count() == 0


async def test_a_pagination_loop_is_detected(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    seed(fake, tools=5, reviewers=2, reviews=6)
    fake.loop_collections.add("tools")  # answers page one again, whatever the filter
    with pytest.raises(SourceError, match="tools: pagination loop detected on page 2"):
        await _sync(directus)
    assert await _tool_ids() == [1, 2]
    assert await _cursor("tools") == _updated(fake, "tools", 2)


async def test_403_is_fatal_at_once_and_names_collection_and_status(
    db: Settings, fake: FakeDirectus, directus: SourceFactory, sleeps: SleepRecorder
) -> None:
    seed(fake, tools=3, reviewers=2, reviews=4)
    fake.fail(
        "/items/reviews",
        Reply(403, error_body("You don't have permission to access this.", "FORBIDDEN")),
    )
    with pytest.raises(SourceError) as caught:
        await _sync(directus)
    message = str(caught.value)
    assert message.startswith("reviews: the CMS answered 403 Forbidden")
    assert "(FORBIDDEN)" in message
    assert sleeps.delays == []
    # Collections synced before reviews are in; reviews untouched.
    assert await Tool.all().count() == 3
    assert await Review.all().count() == 0
    assert await _cursor("reviews") is None


async def test_keyset_pages_through_many_entries_sharing_a_timestamp(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    seed(fake, tools=40, reviewers=3, reviews=30, ties=7)
    await _sync(directus, page_size=3)
    await assert_mirrors(fake)


async def test_incremental_picks_up_edits_unpublishing_and_deletions(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    seed(fake, tools=6, reviewers=2, reviews=8)
    await _sync(directus)
    fake.put("tools", tool(1, name="Renamed"))
    fake.put("tools", tool(2, status="draft"))
    fake.delete("reviews", 3)
    fake.delete("tools", 6)
    for review_id in [i for i, r in fake.items["reviews"].items() if r["tool"] == 6]:
        fake.delete("reviews", review_id)
    await _sync(directus)
    await assert_mirrors(fake)
    assert (await Tool.get(id=2)).status == "draft"


async def test_incremental_deletions_are_applied_children_first_and_counted_per_collection(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    seed(fake, tools=4, reviewers=2, reviews=8)
    await _sync(directus)
    reviews_of_4 = [i for i, r in fake.items["reviews"].items() if r["tool"] == 4]
    assert reviews_of_4
    for review_id in reviews_of_4:
        fake.delete("reviews", review_id)
    fake.delete("tools", 4)
    async with directus() as source:
        report = await SyncEngine(source).run()
    # The tool's reviews leave as reviews (not as a database cascade of the tool), so the
    # counts say what the CMS deleted, the same on SQLite and PostgreSQL.
    assert report.collections["reviews"].deleted == len(reviews_of_4)
    assert report.collections["tools"].deleted == 1
    await assert_mirrors(fake)
