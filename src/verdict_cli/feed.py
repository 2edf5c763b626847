"""`verdict feed prune`: drop the sync feed's old tombstones (run it daily, e.g. from cron)."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from verdict.settings import Settings


async def feed_prune(args: argparse.Namespace, settings: Settings) -> int:
    """Delete tombstones older than the retention; tokens that had not seen them expire."""
    from verdict.db import database
    from verdict.feed_log import prune

    days = args.days if args.days is not None else settings.feed_retention_days
    async with database(settings):
        pruned = await prune(timedelta(days=days))
    print(f"feed: pruned {pruned} tombstones older than {days} days", file=sys.stderr, flush=True)
    return 0


def _days(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_feed_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    feed = sub.add_parser(
        "feed", help="maintain the mobile sync feed", description="Sync feed maintenance."
    )
    feed_sub = feed.add_subparsers(dest="feed_command", required=True, metavar="COMMAND")
    prune = feed_sub.add_parser(
        "prune",
        help="delete tombstones older than the retention (VERDICT_FEED_RETENTION_DAYS, 30)",
        description="Delete the feed's tombstones of deleted and archived entries older than "
        "the retention. Apps whose token predates a pruned tombstone get SyncTokenExpired and "
        "start again.",
    )
    prune.add_argument("--days", type=_days, help="retention in days (default: the setting)")
    prune.set_defaults(handler=feed_prune)
