"""`verdict votes audit | void | prune`: find a stuffed ballot, repair it, apply retention."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from verdict.settings import Settings


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _time(text: str) -> datetime:
    """An ISO 8601 time (UTC when no offset is given), or a span back from now: 30m, 6h, 7d."""
    units = {"m": "minutes", "h": "hours", "d": "days"}
    if text[-1:] in units and text[:-1].isdigit():
        return datetime.now(UTC) - timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {text!r} (use ISO 8601, e.g. 2026-12-04T13:00, or 30m, 6h, 7d)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def votes_audit(args: argparse.Namespace, settings: Settings) -> int:
    from verdict.db import database
    from verdict.vote_audit import Thresholds, audit

    thresholds = Thresholds(args.prefix_threshold, args.minute_threshold, args.fast_threshold)
    async with database(settings):
        report = await audit(args.comparison, args.since, thresholds)
    print(f"{report.votes} votes audited, {len(report.findings)} findings", flush=True)
    for finding in report.findings:
        print(finding, flush=True)
    for slug, ages in sorted(report.ages.items()):
        spread = ", ".join(f"{name} {n}" for name, n in sorted(ages.items()))
        print(f"{slug}  voter age at vote: {spread}", flush=True)
    return 0


async def votes_void(args: argparse.Namespace, settings: Settings) -> int:
    from verdict.db import database
    from verdict.vote_audit import Selection, void

    voters: frozenset[str] | None = None
    if args.voters is not None:
        try:
            lines = (await asyncio.to_thread(Path(args.voters).read_text)).splitlines()
        except OSError as exc:
            _say(f"verdict votes void: cannot read {args.voters}: {exc.strerror}")
            return 2
        voters = frozenset(line.strip() for line in lines if line.strip())
    minted: tuple[datetime, datetime] | None = None
    if args.minted_between:
        minted = (args.minted_between[0], args.minted_between[1])
    if minted is not None and minted[0] > minted[1]:
        _say("verdict votes void: --minted-between wants the earlier time first")
        return 2
    selection = Selection(
        ip_prefix=args.ip_prefix,
        minted_between=minted,
        voters=voters,
    )
    async with database(settings):
        report = await void(args.comparison, selection, args.reason, dry_run=args.dry_run)
    total = sum(report.voided.values())
    verb = "would be voided" if args.dry_run else "voided"
    by_tool = ", ".join(f"{tool} {n}" for tool, n in sorted(report.voided.items()))
    print(f"{total} votes {verb} on {args.comparison}" + (f": {by_tool}" if total else ""))
    for difference in report.tallies:
        print(f"  {difference}", flush=True)
    if total and not args.dry_run and settings.redis_url:
        await _announce(settings.redis_url, args.comparison)
    return 0


async def _announce(redis_url: str, slug: str) -> None:
    """Tell every API replica the tallies changed (live pages, edge caches), as a vote does."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    from graphql_api.votes.feed import CHANNEL

    redis = Redis.from_url(redis_url)
    try:
        await redis.publish(CHANNEL, slug)
    except RedisError as exc:
        _say(f"verdict votes void: replicas not told (Redis: {exc}); pages catch up on expiry")
    finally:
        await redis.aclose()


async def votes_prune(args: argparse.Namespace, settings: Settings) -> int:
    from verdict.db import database
    from verdict.vote_audit import prune

    async with database(settings):
        report = await prune(request_days=args.request_days, metadata_days=args.metadata_days)
    print(
        f"{report.requests_deleted} idempotency rows deleted; network dropped from "
        f"{report.votes_anonymised} votes and {report.voids_anonymised} voided votes",
        flush=True,
    )
    return 0


def _days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of days, at least 1 (got {text!r})")
    return int(text)


def add_votes_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from verdict.vote_audit import METADATA_RETENTION_DAYS, REQUEST_RETENTION_DAYS

    votes = sub.add_parser(
        "votes",
        help="audit community votes, void a stuffed ballot, apply retention",
        description="Community vote integrity tools (docs/community-votes.md).",
    )
    votes_sub = votes.add_subparsers(dest="votes_command", required=True, metavar="COMMAND")
    audit = votes_sub.add_parser(
        "audit",
        help="report suspicious clusters of votes",
        description="Report bursts of votes per network (/24, /56), per minute, and voters "
        "that voted within seconds of being minted, with the spread of voter ages.",
    )
    audit.add_argument("--comparison", metavar="SLUG", help="only this comparison")
    audit.add_argument("--since", type=_time, metavar="T", help="votes changed since T")
    audit.add_argument("--prefix-threshold", type=int, default=10, metavar="N")
    audit.add_argument("--minute-threshold", type=int, default=20, metavar="N")
    audit.add_argument("--fast-threshold", type=int, default=5, metavar="N")
    audit.set_defaults(handler=votes_audit)
    void = votes_sub.add_parser(
        "void",
        help="remove matching votes, recount, and record what was voided and why",
        description="Remove the votes of one comparison that match one criterion, recount its "
        "tallies in the same transaction, and record each removed vote in vote_void.",
    )
    void.add_argument("--comparison", required=True, metavar="SLUG")
    which = void.add_mutually_exclusive_group(required=True)
    which.add_argument("--ip-prefix", metavar="P", help="a network as the audit prints it")
    which.add_argument(
        "--minted-between", nargs=2, type=_time, metavar=("A", "B"), help="voters minted in [A, B]"
    )
    which.add_argument("--voters", metavar="FILE", help="a file of voter ids, one per line")
    void.add_argument("--reason", default="ballot stuffing", help="recorded with each vote")
    void.add_argument("--dry-run", action="store_true", help="only count, change nothing")
    void.set_defaults(handler=votes_void)
    prune = votes_sub.add_parser(
        "prune",
        help="apply the retention of idempotency rows and vote metadata",
        description="Delete vote_request rows older than --request-days and drop the network "
        "(ip_prefix) of votes and voided votes older than --metadata-days.",
    )
    prune.add_argument("--request-days", type=_days, default=REQUEST_RETENTION_DAYS, metavar="N")
    prune.add_argument("--metadata-days", type=_days, default=METADATA_RETENTION_DAYS, metavar="N")
    prune.set_defaults(handler=votes_prune)
