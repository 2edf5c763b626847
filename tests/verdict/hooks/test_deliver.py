"""Revalidation notices: written with the sync's rows, delivered signed to a local receiver,
retried after a failure, and never delivered twice, even across a crash."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from cms_sync import apply
from cms_sync.engine import SyncEngine
from devtools.editable_source import EditableExport
from tests.support.hook_receiver import Receiver, receiver
from verdict.hooks.deliver import DELIVERED, FAILED, PENDING, HookSender
from verdict.hooks.registry import DEFAULT_CONTENT, add_hook
from verdict.models.outbox import HookDelivery
from verdict.settings import PROJECT_ROOT, Settings

SECRET = "receiver-secret"
FIRST = "code-llama-4-vs-mistral-code"  # comparison 1: tools 1 and 2
SECOND = "tessellate-review-vs-lintwise"  # comparison 2


@pytest.fixture
async def site(demo_db: Settings) -> AsyncIterator[Receiver]:
    async with receiver(SECRET) as running:
        await add_hook("site", running.url, dict(DEFAULT_CONTENT), SECRET)
        yield running


@pytest.fixture
def source() -> EditableExport:
    return EditableExport(PROJECT_ROOT / "content" / "sample")


async def deliver(sender: HookSender | None = None) -> int:
    own = sender is None
    sender = sender or HookSender(base_delay=0.01)
    try:
        return await sender.drain()
    finally:
        if own:
            await sender.close()


def only(site: Receiver) -> dict[str, Any]:
    assert len(site.applied) == 1, site.applied
    return next(iter(site.applied.values()))


async def test_a_sync_sends_the_changed_slugs_and_paths_signed(
    site: Receiver, source: EditableExport
) -> None:
    source.edit("comparisons", 1, headline="New headline")
    await SyncEngine(source).run()
    assert await deliver() == 1
    notice = only(site)
    assert notice["event"] == "content.changed"
    # The comparison, and the tools whose pages list it (tools have no paths by default).
    assert notice["slugs"] == sorted([FIRST, "code-llama-4", "mistral-code"])
    assert notice["paths"] == ["/", f"/compare/{FIRST}"]
    by_slug = {c["slug"]: c for c in notice["changes"]}
    assert by_slug[FIRST] == {
        "collection": "comparisons",
        "slug": FIRST,
        "action": "updated",
        "paths": [f"/compare/{FIRST}"],
    }
    assert by_slug["mistral-code"] == {
        "collection": "tools",
        "slug": "mistral-code",
        "action": "updated",
        "paths": [],
    }
    assert site.attempts == [notice["id"]]  # the idempotency key is the notice's id
    assert site.refused == 0
    row = await HookDelivery.get(idempotency_key=notice["id"])
    assert (row.state, row.attempts, row.last_status) == (DELIVERED, 1, 200)


async def test_a_tool_edit_names_its_comparisons(site: Receiver, source: EditableExport) -> None:
    source.edit("tools", 2, name="Renamed")
    await SyncEngine(source).run()
    await deliver()
    notice = only(site)
    # Tool 2 sits on comparisons 1 and 6; tools have no paths in the default content.
    assert f"/compare/{FIRST}" in notice["paths"]
    assert "/compare/mistral-code-vs-forge-coder" in notice["paths"]
    tools = [c for c in notice["changes"] if c["collection"] == "tools"]
    assert [(c["slug"], c["action"]) for c in tools] == [("mistral-code", "updated")]


async def test_deletion_and_unpublish_notices_keep_the_slug_and_paths(
    site: Receiver, source: EditableExport
) -> None:
    source.edit("comparisons", 1, status="draft")
    for side in (3, 4):
        source.delete("comparison_sides", side)
    source.delete("comparisons", 2)
    await SyncEngine(source).run(full=True)
    await deliver()
    changes = [c for n in site.applied.values() for c in n["changes"]]
    by_slug = {c["slug"]: c for c in changes if c["collection"] == "comparisons"}
    assert by_slug[FIRST]["action"] == "unpublished"
    assert by_slug[FIRST]["paths"] == [f"/compare/{FIRST}"]
    assert by_slug[SECOND]["action"] == "deleted"
    assert by_slug[SECOND]["paths"] == [f"/compare/{SECOND}"]
    assert all("/" in n["paths"] for n in site.applied.values())


async def test_a_failed_delivery_is_retried_with_the_same_key(
    site: Receiver, source: EditableExport
) -> None:
    site.fail_next = 1
    source.edit("comparisons", 1, headline="Retried")
    await SyncEngine(source).run()
    sender = HookSender(base_delay=0.01)
    try:
        assert await sender.drain() == 0
        row = await HookDelivery.get()
        assert (row.state, row.attempts, row.last_status) == (PENDING, 1, 500)
        assert row.due_at > row.created_at
        await asyncio.sleep(0.05)  # the backoff (at most 0.01 s on the first retry)
        assert await sender.drain() == 1
    finally:
        await sender.close()
    assert len(site.attempts) == 2
    assert site.attempts[0] == site.attempts[1]
    assert only(site)["changes"][0]["slug"] == FIRST
    assert (await HookDelivery.get()).state == DELIVERED


async def test_a_wrong_signature_is_refused_and_the_notice_given_up(
    demo_db: Settings, source: EditableExport
) -> None:
    async with receiver("the-site-expects-another-secret") as other:
        await add_hook("misconfigured", other.url, dict(DEFAULT_CONTENT), SECRET)
        source.edit("comparisons", 1, headline="Unsigned for this site")
        await SyncEngine(source).run()
        assert await deliver() == 0
        assert other.refused == 1
        assert not other.applied
        row = await HookDelivery.get()
        assert (row.state, row.last_status) == (FAILED, 401)  # a 4xx is not retried


async def test_notices_left_by_a_crashed_worker_are_delivered_once(
    site: Receiver, source: EditableExport
) -> None:
    # The worker committed the page (and its notice), then died before delivering: the next
    # worker finds the notice in the outbox.
    source.edit("comparisons", 1, headline="Before the crash")
    await SyncEngine(source).run()
    assert not site.attempts
    # Two deliverers at once (the old one restarting, a new one taking over) send it once.
    first, second = HookSender(), HookSender()
    try:
        await asyncio.gather(first.drain(), second.drain())
        await asyncio.gather(first.drain(), second.drain())
    finally:
        await first.close()
        await second.close()
    assert len(site.attempts) == 1
    assert FIRST in only(site)["slugs"]


async def test_a_page_that_rolls_back_sends_nothing_and_its_retry_sends_once(
    site: Receiver, source: EditableExport, monkeypatch: pytest.MonkeyPatch
) -> None:
    source.edit("comparisons", 1, headline="Crash mid-page")
    real = apply.advance_checkpoint

    async def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("worker killed mid-transaction")

    monkeypatch.setattr(apply, "advance_checkpoint", crash)
    with pytest.raises(RuntimeError):
        await SyncEngine(source).run()
    assert await HookDelivery.all().count() == 0  # rolled back with the rows
    monkeypatch.setattr(apply, "advance_checkpoint", real)
    await SyncEngine(source).run()
    await deliver()
    await deliver()
    assert len(site.attempts) == 1
    assert FIRST in only(site)["slugs"]


async def test_a_claimed_notice_is_not_sent_again_before_its_lease_ends(
    site: Receiver, source: EditableExport
) -> None:
    # A deliverer claimed the notice and died before sending or marking it.
    source.edit("comparisons", 1, headline="Claimed")
    await SyncEngine(source).run()
    row = await HookDelivery.get()
    later = datetime.now(UTC).replace(year=datetime.now(UTC).year + 1)
    await HookDelivery.filter(id=row.id).update(due_at=later)
    assert await deliver() == 0
    assert not site.attempts
    # Once the lease is over it goes, with the key it was written with.
    await HookDelivery.filter(id=row.id).update(due_at=datetime.now(UTC))
    assert await deliver() == 1
    assert site.attempts == [row.idempotency_key]
