"""The `verdict` command line: demo, serve, sync, migrate and CMS helpers."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from verdict.db import DatabaseUnavailableError
from verdict.env_values import ConfigError
from verdict.settings import Settings
from verdict_cli.cms import add_cms_parser
from verdict_cli.digest import add_digest_parser
from verdict_cli.feed import add_feed_parser
from verdict_cli.hooks import add_hooks_parser
from verdict_cli.serving import SERVERS
from verdict_cli.votes import add_votes_parser

if TYPE_CHECKING:
    from cms_sync.issues import IssueBoard
    from cms_sync.lock import SyncLock
    from cms_sync.source import Source

# Most commands are coroutines; `serve` and `demo` block in the server's own loop.
Command = Callable[[argparse.Namespace, Settings], Coroutine[None, None, int] | int]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from verdict.db import migrate

    await migrate(settings)
    _say("migrations applied")
    return 0


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from tortoise.exceptions import OperationalError

    from cms_sync.engine import SyncEngine
    from cms_sync.lock import acquire, lock_for
    from cms_sync.source import SourceError
    from verdict.db import database

    if args.export is None and not settings.cms_token:
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


async def _open_source(
    args: argparse.Namespace, settings: Settings, stack: contextlib.AsyncExitStack
) -> Source:
    if args.export is not None:
        from cms_sync.export_source import ExportSource

        return ExportSource(Path(args.export))
    from cms_sync.directus.source import DirectusSource

    return await stack.enter_async_context(
        DirectusSource(settings.cms_url, settings.cms_token, page_size=args.page_size)
    )


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
    if args.export is not None or not settings.cms_issues_token:
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
    source: Source,
    lock: SyncLock,
    issues: IssueBoard | None,
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


async def _recount(args: argparse.Namespace, settings: Settings) -> int:
    from verdict.db import database
    from verdict.tallies import recount

    async with database(settings):
        report = await recount(fix=not args.dry_run)
    for difference in report.differences:
        print(difference, flush=True)
    verb = "would be fixed" if args.dry_run else "fixed"
    print(
        f"{report.checked} tallies checked, {len(report.differences)} differed"
        + (f" ({verb})" if report.differences else ""),
        flush=True,
    )
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    asyncio.run(_load_demo(settings))
    return _serve_app(args, settings, banner="Verdict demo")


async def _load_demo(settings: Settings) -> None:
    from cms_sync.engine import SyncEngine
    from cms_sync.export_source import ExportSource
    from verdict.db import database, migrate

    await migrate(settings)
    async with database(settings):
        report = await SyncEngine(ExportSource(settings.sample_content_dir)).run(full=True)
    _say(f"sample content loaded: {report.summary()}")


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    return _serve_app(args, settings, banner="Verdict API")


def _serve_app(args: argparse.Namespace, settings: Settings, *, banner: str) -> int:
    from graphql_api.settings import for_settings
    from verdict_cli.serving import API_TARGET, run

    host = args.host or settings.host
    port = args.port or settings.port
    listening = False

    def on_listening() -> None:
        nonlocal listening
        listening = True
        print(f"{banner}: GraphiQL and API at http://{host}:{port}/graphql", flush=True)
        print(f"{banner}: comparison pages at http://{host}:{port}/", flush=True)

    run(
        API_TARGET,
        host=host,
        port=port,
        server=args.server,
        workers=args.workers,
        graceful_seconds=max(1, round(for_settings(settings).shutdown_grace_seconds)),
        on_listening=on_listening,
        # Twice the body limit: the app closes 4400 (BODY_TOO_LARGE) past the limit itself; the
        # server only keeps far larger frames from being assembled at all.
        ws_max_bytes=2 * for_settings(settings).max_body_bytes,
    )
    return 0 if listening else 1


async def _preview_token(args: argparse.Namespace, settings: Settings) -> int:
    from graphql_api.preview.tokens import PreviewSigner
    from graphql_api.settings import for_settings

    hours = args.hours or for_settings(settings).preview_token_hours
    try:
        token = PreviewSigner.from_secret(settings.secret_key).issue(hours)
    except ValueError as exc:
        _say(f"verdict preview-token: {exc}")
        return 2
    print(token, flush=True)
    _say(f"preview token valid for {hours:g} h: send it as X-Verdict-Preview or ?preview=")
    return 0


def _positive(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {raw!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {raw!r}")
    return value


def _workers(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 64:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 64: {raw!r}")
    return int(raw)


def _page_size(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to 10000: {raw!r}")
    return int(raw)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verdict",
        description="Verdict: a CMS sync worker and GraphQL API for product comparisons.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", help="interface to listen on (default: VERDICT_HOST or 127.0.0.1)")
        p.add_argument("--port", type=int, help="port to listen on (default: VERDICT_PORT or 8000)")

    def worker_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--server",
            choices=SERVERS,
            default="uvicorn",
            help="the ASGI server (default: uvicorn)",
        )
        p.add_argument(
            "--workers",
            type=_workers,
            default=1,
            help="worker processes (default: 1)",
        )

    demo = sub.add_parser(
        "demo",
        help="migrate a local database, load the sample content through the sync, and serve",
        description="Migrate the database (SQLite by default), load the bundled sample content "
        "through the sync pipeline, then serve the API with GraphiQL at /graphql.",
    )
    server_options(demo)
    worker_options(demo)
    demo.set_defaults(handler=_demo)

    serve = sub.add_parser(
        "serve", help="serve the GraphQL API", description="Serve the GraphQL API."
    )
    server_options(serve)
    worker_options(serve)
    serve.set_defaults(handler=_serve)

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
        type=_positive,
        help="--watch: seconds between incremental passes (default VERDICT_SYNC_POLL_SECONDS, 30)",
    )
    sync.add_argument(
        "--full-every",
        type=_positive,
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
        type=_page_size,
        default=500,
        metavar="N",
        help="entries per CMS request (1-10000, default 500)",
    )
    sync.set_defaults(handler=_sync)

    add_cms_parser(sub)
    add_digest_parser(sub)
    add_hooks_parser(sub)
    add_votes_parser(sub)
    add_feed_parser(sub)

    recount = sub.add_parser(
        "recount",
        help="rebuild vote tallies from the vote rows and report differences",
        description="Count the vote rows of every comparison side, report each tally that "
        "differs, and set it to the count (safe while the API is taking votes).",
    )
    recount.add_argument(
        "--dry-run", action="store_true", help="only report the differences, change nothing"
    )
    recount.set_defaults(handler=_recount)

    preview = sub.add_parser(
        "preview-token",
        help="print a preview token that shows drafts through the API (for editors)",
        description="Print a token, signed with VERDICT_SECRET_KEY, that makes the API show "
        "drafts to requests carrying it (X-Verdict-Preview header or ?preview=).",
    )
    preview.add_argument(
        "--hours",
        type=_positive,
        help="how long the token is valid (default VERDICT_PREVIEW_TOKEN_HOURS, 24)",
    )
    preview.set_defaults(handler=_preview_token)

    migrate = sub.add_parser(
        "migrate", help="apply database migrations", description="Apply pending migrations."
    )
    migrate.set_defaults(handler=_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        _say(f"verdict: configuration error: {exc}")
        return 2
    handler: Command = args.handler
    try:
        result = handler(args, settings)
        return result if isinstance(result, int) else asyncio.run(result)
    except DatabaseUnavailableError as exc:
        _say(f"verdict: {exc}")
        return 2
    except ConfigError as exc:  # the API's own settings are read by the commands that serve
        _say(f"verdict: configuration error: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
