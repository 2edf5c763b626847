"""The `verdict` command line: demo, serve, sync, migrate and CMS helpers."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING

from verdict.db import DatabaseUnavailableError
from verdict.env_values import ConfigError
from verdict.settings import Settings
from verdict_cli.cms import add_cms_parser
from verdict_cli.digest import add_digest_parser
from verdict_cli.feed import add_feed_parser
from verdict_cli.hooks import add_hooks_parser
from verdict_cli.options import positive, workers
from verdict_cli.serving import SERVERS
from verdict_cli.sync import add_sync_parser
from verdict_cli.votes import add_votes_parser

if TYPE_CHECKING:
    pass

# Most commands are coroutines; `serve` and `demo` block in the server's own loop.
Command = Callable[[argparse.Namespace, Settings], Coroutine[None, None, int] | int]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from verdict.db import migrate

    await migrate(settings)
    _say("migrations applied")
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
    async with database(settings, custom_plans=True):
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
            type=workers,
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

    add_sync_parser(sub)

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
        type=positive,
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
