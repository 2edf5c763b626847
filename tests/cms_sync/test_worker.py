"""The watch worker: a webhook triggers a sync, and only one replica writes at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import asyncpg
import pytest

from cms_sync.lock import FileLock, PostgresLock, SyncLock, acquire, lock_for
from cms_sync.source import Source
from cms_sync.strapi.source import StrapiSource
from cms_sync.webhooks import SECRET_HEADER
from cms_sync.worker import SyncWorker, WatchOptions
from tests.support.content import assert_mirrors, seed, tool
from tests.support.databases import Backend
from tests.support.fake_directus import FakeDirectus, SourceFactory
from tests.support.fake_strapi import TOKEN as STRAPI_TOKEN
from tests.support.fake_strapi import FakeStrapi
from verdict.models.content import Tool
from verdict.models.sync import SyncCheckpoint
from verdict.settings import Settings

SECRET = "webhook-secret-for-tests-0123456789"
WAIT = 30  # generous upper bound for an event to happen; not a performance assertion


def _options(**changes: object) -> WatchOptions:
    base = {
        "poll_seconds": 3600.0,  # only webhooks and take-overs trigger passes in these tests
        "full_every_seconds": 3600.0,
        "debounce_seconds": 0.05,
        "webhook_port": 0,
        "webhook_secret": SECRET,
        "lock_retry_seconds": 0.05,
    }
    return WatchOptions(**(base | changes))  # type: ignore[arg-type]


@pytest.fixture
async def stop() -> AsyncIterator[asyncio.Event]:
    event = asyncio.Event()
    yield event
    event.set()


async def test_a_webhook_triggers_an_incremental_sync(
    db: Settings, fake: FakeDirectus, directus: SourceFactory, stop: asyncio.Event
) -> None:
    seed(fake, tools=3, reviewers=1, reviews=2)
    lock = lock_for(db)
    async with directus() as source:
        worker = SyncWorker(source, lock, _options())
        task = asyncio.create_task(worker.run(stop))
        await asyncio.wait_for(worker.wait_for_passes(1), WAIT)
        await assert_mirrors(fake)

        fake.put("tools", tool(9, name="Fresh"))
        assert worker.webhook_url is not None
        async with aiohttp.ClientSession() as http:
            forged = await http.post(worker.webhook_url, json={"collection": "tools"})
            assert forged.status == 401
            assert not worker.sync_requested
            response = await http.post(
                worker.webhook_url,
                json={"event": "tools.items.create", "key": 9, "collection": "tools"},
                headers={SECRET_HEADER: SECRET},
            )
            assert response.status == 202
        await asyncio.wait_for(worker.wait_for_passes(2), WAIT)
        assert (await Tool.get(id=9)).name == "Fresh"
        stop.set()
        await asyncio.wait_for(task, WAIT)
    await lock.release()


async def test_the_lock_has_one_holder_and_passes_on_when_it_is_released(db: Settings) -> None:
    first, second = lock_for(db), lock_for(db)
    try:
        assert await first.try_acquire()
        assert not await second.try_acquire()
        assert await first.still_held()
        await first.release()
        assert await second.try_acquire()
        assert not await first.try_acquire()
    finally:
        await first.release()
        await second.release()


async def test_killing_the_holders_connection_lets_another_worker_take_over(
    db: Settings,
    backend: Backend,
    fake: FakeDirectus,
    directus: SourceFactory,
    stop: asyncio.Event,
) -> None:
    if backend.name != "postgres":
        pytest.skip("connection-bound advisory lock: PostgreSQL only")
    seed(fake, tools=3, reviewers=1, reviews=2)
    first_lock, second_lock = lock_for(db), lock_for(db)
    assert isinstance(first_lock, PostgresLock)
    standing_by = asyncio.Event()

    def say(message: str) -> None:
        if "standing by" in message:
            standing_by.set()

    async with directus() as source_a, directus() as source_b:
        first = SyncWorker(source_a, first_lock, _options())
        second = SyncWorker(source_b, second_lock, _options(), say=say)
        task_a = asyncio.create_task(first.run(stop))
        await asyncio.wait_for(first.wait_for_passes(1), WAIT)
        task_b = asyncio.create_task(second.run(stop))
        await asyncio.wait_for(standing_by.wait(), WAIT)
        assert first.writing
        assert not second.writing
        assert second.passes_done == 0

        # The holder's database session dies (a killed worker, a network cut).
        admin = await asyncpg.connect(db.database_url.replace("postgres://", "postgresql://", 1))
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", first_lock.backend_pid)
        finally:
            await admin.close()
        await asyncio.wait_for(second.wait_for_passes(1), WAIT)
        assert second.writing
        assert not await first_lock.still_held()
        stop.set()
        await asyncio.wait_for(asyncio.gather(task_a, task_b), WAIT)
    await first_lock.release()
    await second_lock.release()


async def test_a_waiting_worker_gives_up_when_stopped(db: Settings) -> None:
    holder, waiter = lock_for(db), lock_for(db)
    stop = asyncio.Event()
    try:
        assert await holder.try_acquire()
        waiting = asyncio.create_task(acquire(waiter, stop=stop, retry_every=0.01))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        stop.set()
        assert await asyncio.wait_for(waiting, WAIT) is False
    finally:
        await holder.release()
        await waiter.release()


def test_sqlite_uses_a_file_lock_next_to_the_database() -> None:
    lock: SyncLock = lock_for(Settings(database_url="sqlite:///tmp/x/verdict.sqlite3"))
    assert isinstance(lock, FileLock)


async def _tool_ids() -> set[str]:
    ids: list[Any] = await Tool.all().values_list("id", flat=True)
    return set(ids)


async def _one_worker_pass(source: Source, lock: SyncLock, stop: asyncio.Event) -> SyncWorker:
    """Run a worker until its first pass has finished, then stop it and free the lock."""
    worker = SyncWorker(source, lock, _options())
    task = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(worker.wait_for_passes(1), WAIT)
    stop.set()
    await asyncio.wait_for(task, WAIT)
    await lock.release()
    return worker


async def test_a_worker_taking_the_lock_reconciles_what_no_worker_heard(db: Settings) -> None:
    """Strapi's deletions arrive only as webhooks, held by the worker that received them. One
    deleted while no worker listened (a restart, a deploy) is found by the next worker's first
    pass, not an hour later at the scheduled full pass; the passes after it are incremental."""
    strapi = FakeStrapi()
    await strapi.start()
    try:
        for i in (1, 2):
            strapi.put("tools", tool(i, status="published"))
        async with StrapiSource(strapi.url, STRAPI_TOKEN) as source:
            await _one_worker_pass(source, lock_for(db), asyncio.Event())
        assert await _tool_ids() == {"1", "2"}
        checkpoints = SyncCheckpoint.filter(collection="tools")
        (first_full,) = await checkpoints.values_list("last_full_sync_at", flat=True)

        strapi.delete("tools", "2")  # its entry.delete webhook reached no worker

        lock, stop = lock_for(db), asyncio.Event()
        async with StrapiSource(strapi.url, STRAPI_TOKEN) as source:
            worker = SyncWorker(source, lock, _options())
            task = asyncio.create_task(worker.run(stop))
            await asyncio.wait_for(worker.wait_for_passes(1), WAIT)
            assert await _tool_ids() == {"1"}
            (reconciled,) = await checkpoints.values_list("last_full_sync_at", flat=True)
            assert reconciled > first_full

            worker.trigger("tools")
            await asyncio.wait_for(worker.wait_for_passes(2), WAIT)
            (after,) = await checkpoints.values_list("last_full_sync_at", flat=True)
            assert after == reconciled  # the second pass was incremental
            stop.set()
            await asyncio.wait_for(task, WAIT)
        await lock.release()
    finally:
        await strapi.stop()


async def test_a_source_with_a_deletion_log_starts_incremental(
    db: Settings, fake: FakeDirectus, directus: SourceFactory
) -> None:
    """Directus logs deletions: a worker taking the lock goes on from the checkpoints."""
    seed(fake, tools=2, reviewers=1, reviews=1)
    async with directus() as source:
        await _one_worker_pass(source, lock_for(db), asyncio.Event())
    checkpoints = SyncCheckpoint.filter(collection="tools")
    (first_full,) = await checkpoints.values_list("last_full_sync_at", flat=True)
    async with directus() as source:
        await _one_worker_pass(source, lock_for(db), asyncio.Event())
    (after,) = await checkpoints.values_list("last_full_sync_at", flat=True)
    assert after == first_full
