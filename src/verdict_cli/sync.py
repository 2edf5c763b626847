"""`verdict sync`: pull content from the CMS into the database, once or as a worker."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from verdict.settings import Settings

if TYPE_CHECKING:
    from cms_sync.issues import IssueBoard
    from cms_sync.lock import SyncLock
    from cms_sync.source import Source, StreamSource
    from cms_sync.webhooks import AdapterWebhook


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from tortoise.exceptions import OperationalError

    from cms_sync.engine import SyncEngine
    from cms_sync.lock import acquire, lock_for
    from cms_sync.source import SourceError
    from verdict.db import database

    if args.export is None and not _contentful() and not settings.cms_token:
        _say("verdict sync: CMS_TOKEN is not set (the worker's read-only Directus token)")
        return 2
    lock = lock_for(settings)
    try:
        async with contextlib.AsyncExitStack() as stack:
            source = await _open_source(args, settings, stack)
            issues = await _open_issue_board(args, settings, stack)
            await stack.enter_async_context(database(settings))
            stack.push_async_callback(lock.release)
            if args.watch:
                return await _watch(args, settings, source, lock, issues)
            await acquire(lock, on_wait=lambda: _say("verdict sync: waiting for another worker"))
            report = await SyncEngine(source, progress=_say).run(full=args.full)
            await _deliver_once()
            if issues is not None:
                await _publish_issues(issues, source.name)
    except (SourceError, ValueError) as exc:  # ValueError: a Contentful setting is malformed
        _say(f"verdict sync: {exc}")
        return 1
    except OperationalError as exc:
        _say(f"verdict sync: database error: {exc} (is it migrated? run `verdict migrate`)")
        return 1
    for reason in report.quarantine_reasons:
        _say(f"quarantined {reason}")
    print(report.summary(), flush=True)
    return 0


async def _open_source(
    args: argparse.Namespace, settings: Settings, stack: contextlib.AsyncExitStack
) -> Source | StreamSource:
    if args.export is not None:
        from cms_sync.export_source import ExportSource

        return ExportSource(Path(args.export))
    if _contentful():
        from cms_sync.contentful.settings import ContentfulSettings
        from cms_sync.contentful.source import MAX_PAGE_SIZE, ContentfulSource

        cf = ContentfulSettings.from_env()
        source = ContentfulSource(
            cf.space_id,
            cf.access_token,
            environment=cf.environment,
            base_url=cf.base_url,
            locales=cf.locales,
            page_size=min(args.page_size, MAX_PAGE_SIZE),
        )
        return await stack.enter_async_context(source)
    from cms_sync.directus.source import DirectusSource

    return await stack.enter_async_context(
        DirectusSource(settings.cms_url, settings.cms_token, page_size=args.page_size)
    )


def _contentful() -> bool:
    """``CMS_KIND=contentful``: sync from Contentful's Sync API (settings CONTENTFUL_*)."""
    return os.environ.get("CMS_KIND", "directus").strip().lower() == "contentful"


async def _deliver_once() -> None:
    """Send the purges and revalidation notices the pass queued."""
    from verdict.delivery import Deliverer
    from verdict.purge.settings import PurgeSettings

    deliverer = Deliverer.from_settings(PurgeSettings.from_env())
    try:
        await deliverer.drain()
    finally:
        await deliverer.close()


async def _open_issue_board(
    args: argparse.Namespace, settings: Settings, stack: contextlib.AsyncExitStack
) -> IssueBoard | None:
    """Directus's verdict_sync_issues, when CMS_ISSUES_TOKEN is set."""
    if args.export is not None or _contentful() or not settings.cms_issues_token:
        return None
    from cms_sync.directus.issue_board import DirectusIssueBoard

    board = DirectusIssueBoard(settings.cms_url, settings.cms_issues_token)
    return await stack.enter_async_context(board)


async def _publish_issues(issues: IssueBoard, source: str) -> None:
    from cms_sync.directus.issue_board import IssueBoardError
    from cms_sync.issues import open_issues

    try:
        await issues.publish(await open_issues(source))
    except IssueBoardError as exc:
        _say(f"verdict sync: could not publish sync issues: {exc}")


async def _watch(
    args: argparse.Namespace,
    settings: Settings,
    source: Source | StreamSource,
    lock: SyncLock,
    issues: IssueBoard | None,
) -> int:
    from cms_sync.worker import SyncWorker, WatchOptions
    from verdict.delivery import Deliverer
    from verdict.purge.settings import PurgeSettings

    routes: tuple[AdapterWebhook, ...] = ()
    if _contentful():
        from cms_sync.contentful.settings import ContentfulSettings
        from cms_sync.contentful.webhooks import ContentfulWebhook

        routes = (ContentfulWebhook(ContentfulSettings.from_env().webhook_secret),)
    options = WatchOptions(
        poll_seconds=args.poll_seconds or settings.sync_poll_seconds,
        full_every_seconds=args.full_every or settings.sync_full_every_seconds,
        webhook_host=settings.webhook_host,
        webhook_port=args.webhook_port or settings.webhook_port,
        webhook_secret=settings.webhook_secret,
        redis_url=settings.redis_url,
        webhook_routes=routes,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        deliverer = Deliverer.from_settings(PurgeSettings.from_env())
        await SyncWorker(source, lock, options, say=_say, deliverer=deliverer, issues=issues).run(
            stop
        )
    except OSError as exc:
        _say(f"verdict sync: cannot listen on {options.webhook_host}:{options.webhook_port}: {exc}")
        return 1
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    _say("verdict sync: stopped")
    return 0


def add_sync_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from verdict_cli.options import page_size, positive

    sync = sub.add_parser(
        "sync",
        help="pull content from the CMS into the database",
        description="One incremental sync pass from the Directus at CMS_URL (token CMS_TOKEN); "
        "--full reconciles everything, --watch keeps syncing until SIGTERM/SIGINT.",
    )
    sync.add_argument(
        "--full",
        action="store_true",
        help="full reconciliation: re-read everything and delete what the CMS no longer has",
    )
    sync.add_argument(
        "--export", metavar="DIR", help="sync from a content export folder instead of the CMS"
    )
    sync.add_argument(
        "--watch",
        action="store_true",
        help="run until stopped: poll, accept webhooks, reconcile fully now and then",
    )
    sync.add_argument(
        "--poll-seconds",
        type=positive,
        help="--watch: seconds between incremental passes (default VERDICT_SYNC_POLL_SECONDS, 30)",
    )
    sync.add_argument(
        "--full-every",
        type=positive,
        metavar="SECONDS",
        help="--watch: seconds between full reconciliations "
        "(default VERDICT_SYNC_FULL_EVERY_SECONDS, 3600)",
    )
    sync.add_argument(
        "--webhook-port",
        type=int,
        help="--watch: port of the webhook endpoint (default VERDICT_WEBHOOK_PORT, 8065)",
    )
    sync.add_argument(
        "--page-size",
        type=page_size,
        default=500,
        metavar="N",
        help="entries per CMS request (1-10000, default 500)",
    )
    sync.set_defaults(handler=_sync)
