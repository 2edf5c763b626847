"""A SyncWorker against the module's Directus, listening for its webhooks, for the e2e tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable

from cms_sync.directus.issue_board import DirectusIssueBoard
from cms_sync.directus.provision import ProvisionResult
from cms_sync.directus.server import DirectusServer
from cms_sync.directus.source import DirectusSource
from cms_sync.lock import lock_for
from cms_sync.worker import SyncWorker, WatchOptions
from tests.support.directus_content import WAIT, WEBHOOK_SECRET
from verdict.settings import Settings


class Watching:
    """A running SyncWorker whose passes the test can count."""

    def __init__(self, worker: SyncWorker) -> None:
        self.worker = worker

    async def settle(self) -> None:
        """Return once no pass has run or been asked for during a second (late webhooks)."""
        while True:
            done = self.worker.passes_done
            await asyncio.sleep(1.0)
            if self.worker.passes_done == done and not self.worker.sync_requested:
                return

    async def one_pass_after(self, action: Awaitable[None]) -> None:
        """Run ``action`` (a Directus request), then wait for the one pass its webhook causes."""
        await self.settle()
        before = self.worker.passes_done
        await action
        await asyncio.wait_for(self.worker.wait_for_passes(before + 1), WAIT)
        await asyncio.sleep(0.5)  # a second webhook would start another pass: there is none
        assert self.worker.passes_done == before + 1
        assert not self.worker.sync_requested


@contextlib.asynccontextmanager
async def watch(
    db: Settings,
    directus: DirectusServer,
    provisioned: ProvisionResult,
    webhook_port: int,
    *,
    with_issues: bool = False,
) -> AsyncIterator[Watching]:
    """A SyncWorker listening for Directus's webhooks, once its first (full) pass is done and
    the webhooks of earlier saves have settled; it polls only once a minute."""
    options = WatchOptions(
        poll_seconds=60.0,
        full_every_seconds=3600.0,
        webhook_port=webhook_port,
        webhook_secret=WEBHOOK_SECRET,
        lock_retry_seconds=0.05,
    )
    lock = lock_for(db)
    stop = asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        source = await stack.enter_async_context(
            DirectusSource(directus.url, provisioned.worker_token)
        )
        issues = None
        if with_issues:
            board = DirectusIssueBoard(directus.url, provisioned.issues_token)
            issues = await stack.enter_async_context(board)
        worker = SyncWorker(source, lock, options, issues=issues)
        task = asyncio.create_task(worker.run(stop))
        try:
            await asyncio.wait_for(worker.wait_for_passes(1), WAIT)
            watching = Watching(worker)
            await watching.settle()  # late webhooks of the seeding: let their passes run first
            yield watching
        finally:
            stop.set()
            await asyncio.wait_for(task, WAIT)
            await lock.release()
