"""`verdict digest send|export|erase`: the weekly digest and its GDPR commands (docs/digest.md)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from verdict.db import database
from verdict.digest import subscriptions
from verdict.digest.send import send_digest
from verdict.digest.subscriptions import Subscriptions
from verdict.mail import MailError, MailSender
from verdict.settings import Settings


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _send(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings):
        try:
            report = await send_digest(
                Subscriptions.from_settings(settings),
                MailSender(settings.mail),
                datetime.now(UTC),
                dry_run=args.dry_run,
            )
        except MailError as exc:
            _say(f"verdict digest send: {exc}")
            return 1
    verb = "would mail" if args.dry_run else "mailed"
    count = report.subscribers if args.dry_run else report.sent
    print(f"{verb} {count} subscriber(s) {len(report.comparisons)} comparison(s)", flush=True)
    for title in report.comparisons:
        print(f"  {title}", flush=True)
    if report.purged:
        print(f"deleted {report.purged} unconfirmed address(es) past their link", flush=True)
    for reason in report.failed:
        _say(f"not sent: {reason}")
    return 1 if report.failed else 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings):
        found = await subscriptions.export(args.email)
    if found is None:
        _say("nothing stored for this address")
        return 1
    print(json.dumps(found, indent=2), flush=True)
    return 0


async def _erase(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings):
        erased = await subscriptions.erase(args.email)
    print("erased" if erased else "nothing stored for this address", flush=True)
    return 0


def add_digest_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    digest = sub.add_parser(
        "digest",
        help="send the weekly digest; export or erase a subscriber's data",
        description="The weekly digest of new comparisons (see docs/digest.md).",
    )
    digest_sub = digest.add_subparsers(dest="digest_command", required=True, metavar="COMMAND")
    send = digest_sub.add_parser(
        "send",
        help="mail confirmed subscribers the comparisons published since their last digest",
        description="Mail each confirmed subscriber, through VERDICT_SMTP_HOST:PORT, the "
        "comparisons published since their last digest (or since they confirmed); also delete "
        "unconfirmed addresses whose confirmation link expired.",
    )
    send.add_argument(
        "--dry-run", action="store_true", help="only report what would be sent; send nothing"
    )
    send.set_defaults(handler=_send)
    export = digest_sub.add_parser(
        "export",
        help="print everything stored about an address (JSON)",
        description="GDPR access: print everything stored about EMAIL as JSON.",
    )
    export.add_argument("email", metavar="EMAIL")
    export.set_defaults(handler=_export)
    erase = digest_sub.add_parser(
        "erase",
        help="delete everything stored about an address",
        description="GDPR erasure: delete the subscription of EMAIL and everything stored with "
        "it; its old links stop working.",
    )
    erase.add_argument("email", metavar="EMAIL")
    erase.set_defaults(handler=_erase)
