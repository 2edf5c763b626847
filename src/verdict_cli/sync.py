"""`verdict sync`: pull content from the CMS into the database, once or as a worker."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from verdict.settings import Settings

if TYPE_CHECKING:
    from cms_sync.adapters import Adapter
    from cms_sync.issues import IssueBoard
    from cms_sync.lock import SyncLock
    from cms_sync.mapping import Mapping
    from cms_sync.source import Source, StreamSource


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from tortoise.exceptions import OperationalError

    from cms_sync.adapters import AdapterError, prepare
    from cms_sync.engine import SyncEngine
    from cms_sync.lock import acquire, lock_for
    from cms_sync.mapping import MappingError
    from cms_sync.source import SourceError
    from verdict.db import database

    adapter: Adapter | None = None
    mapping: Mapping | None = None
    if args.export is None:
        try:
            adapter, mapping = prepare(settings)
        except (AdapterError, MappingError) as exc:
            _say(f"verdict sync: {exc}")
            return 2
    lock = lock_for(settings)
    try:
        async with contextlib.AsyncExitStack() as stack:
            source: Source | StreamSource
            if adapter is None or mapping is None:
                source = _export_source(args)
            else:
                source = await stack.enter_async_context(
                    adapter.open_source(settings, mapping, args.page_size)
                )
            issues = await _open_issue_board(args, settings, stack)
            await stack.enter_async_context(database(settings, custom_plans=True))
            stack.push_async_callback(lock.release)
            if args.watch:
                return await _watch(args, settings, source, lock, issues, adapter, mapping)
            await acquire(lock, on_wait=lambda: _say("verdict sync: waiting for another worker"))
            report = await SyncEngine(source, progress=_say).run(full=args.full)
            await _deliver_once()
            if issues is not None:
                await _publish_issues(issues, source.name)
    except SourceError as exc:
        _say(f"verdict sync: {exc}")
        return 1
    except OperationalError as exc:
        _say(f"verdict sync: database error: {exc} (is it migrated? run `verdict migrate`)")
        return 1
    for reason in report.quarantine_reasons:
        _say(f"quarantined {reason}")
    print(report.summary(), flush=True)
    return 0


def _export_source(args: argparse.Namespace) -> Source:
    from cms_sync.export_source import ExportSource

    return ExportSource(Path(args.export))


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
    """Directus's verdict_sync_issues, when CMS_ISSUES_TOKEN is set and the CMS is Directus (the
    other CMSs have no such board yet: their quarantine reasons are in the log and the output)."""
    if args.export is not None or not settings.cms_issues_token or settings.cms_kind != "directus":
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
    adapter: Adapter | None,
    mapping: Mapping | None,
) -> int:
    from cms_sync.worker import SyncWorker, WatchOptions
    from verdict.delivery import Deliverer
    from verdict.purge.settings import PurgeSettings

    options = WatchOptions(
        poll_seconds=args.poll_seconds or settings.sync_poll_seconds,
        full_every_seconds=args.full_every or settings.sync_full_every_seconds,
        webhook_host=settings.webhook_host,
        webhook_port=args.webhook_port or settings.webhook_port,
        webhook_secret=settings.webhook_secret,
        redis_url=settings.redis_url,
    )
    if adapter is not None and mapping is not None:
        make = adapter.receiver
        options = dataclasses.replace(
            options,
            receiver=lambda secret: make(secret, mapping),
            webhook_path=adapter.webhook_path,
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
