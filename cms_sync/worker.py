"""The long-running sync worker (``verdict sync --watch``).

It serves the webhook endpoint, waits for the single-writer lock, then loops: an incremental pass
every ``poll_seconds`` or soon after a webhook (debounced, so a burst of saves is one pass), and a
full reconciliation every ``full_every_seconds``. Setting ``stop`` ends it after the current
page; everything applied is committed with its checkpoint.

A source whose CMS has no deletion log (Strapi: ``DeletionHints``, ``ChangeHints``) learns of
deletions and unpublishes only from webhooks, kept in the memory of the worker that received them.
So when a worker takes the writer lock (at start-up, after a restart or a deploy, or from a replica
that stopped), its first pass is a full reconciliation: what was deleted or unpublished while no
worker listened, or while another one held the hints, is found then rather than at the next
scheduled full pass, up to ``full_every_seconds`` later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from redis.asyncio import Redis

from cms_sync.content_model import load_content_model
from cms_sync.engine import SyncEngine
from cms_sync.issues import IssueBoard, open_issues
from cms_sync.lock import SyncLock, acquire
from cms_sync.replays import RedisReplays
from cms_sync.source import ChangeHints, DeletionHints, Source, SourceError, StreamSource
from cms_sync.webhooks import (
    WEBHOOK_PATH,
    DirectusReceiver,
    WebhookHint,
    WebhookReceiver,
    create_webhook_app,
)
from verdict.delivery import Deliverer
from verdict.models.sync import SyncCheckpoint

log = logging.getLogger("cms_sync.worker")


@dataclass(frozen=True, slots=True)
class WatchOptions:
    poll_seconds: float = 30.0
    full_every_seconds: float = 3600.0
    debounce_seconds: float = 0.25
    webhook_host: str = "127.0.0.1"
    webhook_port: int = 8065
    webhook_secret: str | None = None
    redis_url: str | None = None
    """Shared record of accepted webhook signatures (replays), when several workers listen."""
    lock_retry_seconds: float = 2.0
    lock_check_seconds: float = 5.0
    """During a pass, how often to check the lock is still ours (else stop after the page)."""
    receiver: Callable[[str], WebhookReceiver] = DirectusReceiver
    """The CMS's webhook receiver, made from ``webhook_secret`` (the adapter's)."""
    webhook_path: str = WEBHOOK_PATH


class SyncWorker:
    """Polls, listens for webhooks and syncs while it holds the writer lock."""

    def __init__(
        self,
        source: Source | StreamSource,
        lock: SyncLock,
        options: WatchOptions,
        *,
        say: Callable[[str], None] = log.info,
        deliverer: Deliverer | None = None,
        issues: IssueBoard | None = None,
    ) -> None:
        self._source = source
        self._issues = issues
        self._lock = lock
        self._options = options
        self._say = say
        self._deliverer = deliverer
        self._wake = asyncio.Event()
        self._passes = asyncio.Condition()
        self.passes_done = 0
        self.writing = False
        self._reconcile = False
        """The next pass is a full one: this worker just took the lock and its source keeps its
        webhook hints in memory (see the module's docstring)."""
        self.webhook_url: str | None = None
        """Where webhooks are accepted, once listening (the real port when 0 was asked for)."""

    @property
    def sync_requested(self) -> bool:
        """A webhook asked for a sync that has not started yet."""
        return self._wake.is_set()

    def trigger(self, collection: str) -> None:
        """A webhook arrived: sync soon (debounced). The payload itself is not used."""
        log.info("webhook: %s changed; incremental sync scheduled", collection)
        self._wake.set()

    def note_deleted(self, hint: WebhookHint) -> None:
        """A webhook named deleted ids: a source without a deletion log keeps them to confirm."""
        if hint.deleted and isinstance(self._source, DeletionHints):
            self._source.note_deleted(hint.collection, hint.deleted)
        if hint.changed and isinstance(self._source, ChangeHints):
            self._source.note_changed(hint.collection, hint.changed)

    async def wait_for_passes(self, count: int) -> None:
        """Return once ``count`` passes have finished (for operators' tooling and tests)."""
        async with self._passes:
            await self._passes.wait_for(lambda: self.passes_done >= count)

    async def run(self, stop: asyncio.Event) -> None:
        options = self._options
        redis = Redis.from_url(options.redis_url) if options.redis_url else None
        replays = RedisReplays(redis) if redis is not None else None
        app = create_webhook_app(
            options.webhook_secret,
            self.trigger,
            replays=replays,
            receiver=options.receiver,
            path=options.webhook_path,
            on_deleted=self.note_deleted,
        )
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, options.webhook_host, options.webhook_port)
            await site.start()
            host, port = runner.addresses[0][:2]
            self.webhook_url = f"http://{host}:{port}{options.webhook_path}"
            self._say(
                f"sync worker: webhooks at {self.webhook_url}"
                + ("" if options.webhook_secret else " (disabled: CMS_WEBHOOK_SECRET is not set)")
            )
            async with contextlib.AsyncExitStack() as stack:
                if self._deliverer is not None:
                    # Purges and revalidation notices the passes queued (and any a crashed worker
                    # left behind), delivered after each pass commits.
                    delivering = asyncio.create_task(self._deliverer.run(stop))
                    stack.push_async_callback(self._deliverer.close)
                    stack.push_async_callback(_cancel, delivering)
                await self._loop(stop)
        finally:
            self.writing = False
            await runner.cleanup()
            if redis is not None:
                await redis.aclose()

    async def _loop(self, stop: asyncio.Event) -> None:
        engine = SyncEngine(self._source, progress=self._say)
        while not stop.is_set():
            if not self.writing or not await self._lock.still_held():
                if self.writing:
                    self._say("sync worker: lost the writer lock; waiting to take it back")
                self.writing = False
                on_wait = lambda: self._say("sync worker: another worker syncs; standing by")  # noqa: E731
                acquired = await acquire(
                    self._lock,
                    stop=stop,
                    on_wait=on_wait,
                    retry_every=self._options.lock_retry_seconds,
                )
                if not acquired:
                    return
                self.writing = True
                self._say("sync worker: holding the writer lock")
                if _hints_in_memory(self._source):
                    self._reconcile = True
                    self._say(
                        "sync worker: a full pass first: deletions this worker has no webhook "
                        "for are found only by one"
                    )
            self._wake.clear()
            full = self._reconcile or await self._full_due()
            pass_stop = asyncio.Event()
            watchdog = asyncio.create_task(self._watch_lock(stop, pass_stop))
            try:
                report = await engine.run(full=full, stop=pass_stop)
                self._say(report.summary())
                if full and not report.interrupted:
                    self._reconcile = False
            except SourceError as exc:
                self._say(f"sync failed: {exc}")
            except Exception:
                log.exception("sync pass failed")
            finally:
                watchdog.cancel()
                await asyncio.gather(watchdog, return_exceptions=True)
            if self._deliverer is not None:
                self._deliverer.wake()
            await self._publish_issues()
            async with self._passes:
                self.passes_done += 1
                self._passes.notify_all()
            await self._wait_for_next(stop)

    async def _publish_issues(self) -> None:
        """Show editors what could not sync; a failure waits for the next pass, never stops one."""
        if self._issues is None or not self.writing:
            return
        try:
            await self._issues.publish(await open_issues(self._source.name))
        except Exception as exc:  # the board is a courtesy to editors: the sync goes on
            self._say(f"sync worker: could not publish sync issues: {exc}")

    async def _watch_lock(self, stop: asyncio.Event, pass_stop: asyncio.Event) -> None:
        """End the pass after its current page on shutdown, or when the lock is lost."""
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._options.lock_check_seconds)
            if stop.is_set():
                pass_stop.set()
                return
            if not await self._lock.still_held():
                self._say("sync worker: lost the writer lock mid-pass; stopping after this page")
                self.writing = False
                pass_stop.set()
                return

    async def _wait_for_next(self, stop: asyncio.Event) -> None:
        stopped = asyncio.ensure_future(stop.wait())
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait(
                {stopped, woken},
                timeout=self._options.poll_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if woken.done() and not stop.is_set():
                # Let a burst of saves settle into one pass.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(stopped), self._options.debounce_seconds)
        finally:
            for task in (stopped, woken):
                task.cancel()
            await asyncio.gather(stopped, woken, return_exceptions=True)

    async def _full_due(self) -> bool:
        rows: list[Any] = await SyncCheckpoint.filter(source=self._source.name).values_list(
            "last_full_sync_at", flat=True
        )
        stamps = [r for r in rows if isinstance(r, datetime)]
        if len(stamps) < len(load_content_model().sync_order):
            return True
        age = (datetime.now(UTC) - min(stamps)).total_seconds()
        return age >= self._options.full_every_seconds


def _hints_in_memory(source: Source | StreamSource) -> bool:
    """The source learns some changes only from webhooks, which it keeps in memory."""
    return isinstance(source, DeletionHints | ChangeHints)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
