"""The `verdict` command line: demo, serve, sync, migrate and CMS helpers."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path

from verdict.db import DatabaseUnavailableError
from verdict.settings import ConfigError, Settings

Command = Callable[[argparse.Namespace, Settings], Coroutine[None, None, int]]


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from verdict.db import migrate

    await migrate(settings)
    _say("migrations applied")
    return 0


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from cms_sync.engine import SyncEngine
    from cms_sync.export_source import ExportSource
    from verdict.db import database

    if args.export is None:
        _say(
            "verdict sync: give --export DIR (a content export); the Directus source needs CMS_URL"
        )
        return 2
    async with database(settings):
        engine = SyncEngine(ExportSource(Path(args.export)), progress=_say)
        report = await engine.run(full=args.full)
    for reason in report.quarantine_reasons:
        _say(f"quarantined {reason}")
    print(report.summary(), flush=True)
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


async def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from cms_sync.engine import SyncEngine
    from cms_sync.export_source import ExportSource
    from verdict.db import database, migrate

    await migrate(settings)
    async with database(settings):
        report = await SyncEngine(ExportSource(settings.sample_content_dir)).run(full=True)
    _say(f"sample content loaded: {report.summary()}")
    return await _serve_app(args, settings, banner="Verdict demo")


async def _serve(args: argparse.Namespace, settings: Settings) -> int:
    return await _serve_app(args, settings, banner="Verdict API")


async def _serve_app(args: argparse.Namespace, settings: Settings, *, banner: str) -> int:
    import uvicorn

    from graphql_api.app import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    original_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original_startup(sockets=sockets)
        if server.started:
            print(f"{banner}: GraphiQL and API at http://{host}:{port}/graphql", flush=True)

    server.startup = startup  # type: ignore[method-assign]  # print the URL once listening
    await server.serve()
    return 0 if server.started else 1


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="verdict",
        description="Verdict: a CMS sync worker and GraphQL API for product comparisons.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def server_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", help="interface to listen on (default: VERDICT_HOST or 127.0.0.1)")
        p.add_argument("--port", type=int, help="port to listen on (default: VERDICT_PORT or 8000)")

    demo = sub.add_parser(
        "demo",
        help="migrate a local database, load the sample content through the sync, and serve",
        description="Migrate the database (SQLite by default), load the bundled sample content "
        "through the sync pipeline, then serve the API with GraphiQL at /graphql.",
    )
    server_options(demo)
    demo.set_defaults(handler=_demo)

    serve = sub.add_parser(
        "serve", help="serve the GraphQL API", description="Serve the GraphQL API."
    )
    server_options(serve)
    serve.set_defaults(handler=_serve)

    sync = sub.add_parser(
        "sync", help="pull content from the CMS into the database", description="One sync pass."
    )
    sync.add_argument(
        "--full",
        action="store_true",
        help="full reconciliation: re-read everything and delete what the CMS no longer has",
    )
    sync.add_argument(
        "--export", metavar="DIR", help="sync from a content export folder instead of the CMS"
    )
    sync.set_defaults(handler=_sync)

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

    migrate = sub.add_parser(
        "migrate", help="apply database migrations", description="Apply pending migrations."
    )
    migrate.set_defaults(handler=_migrate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        _say(f"verdict: configuration error: {exc}")
        return 2
    handler: Command = args.handler
    try:
        return asyncio.run(handler(args, settings))
    except DatabaseUnavailableError as exc:
        _say(f"verdict: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
