"""`verdict hooks add|list|remove`: outgoing revalidation webhooks (docs/revalidation-hooks.md)."""

from __future__ import annotations

import argparse
import sys

from verdict.db import database
from verdict.hooks.registry import HookError, add_hook, list_hooks, parse_content, remove_hook
from verdict.models.outbox import HookDelivery
from verdict.settings import Settings


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def hooks_add(args: argparse.Namespace, settings: Settings) -> int:
    try:
        content = parse_content(args.content or [])
        async with database(settings):
            registered = await add_hook(args.name, args.url, content, args.secret)
    except HookError as exc:
        _say(f"verdict hooks add: {exc}")
        return 2
    _say(f"hook {args.name!r} added: {args.url}")
    if args.secret is None:
        # Shown once: the receiver needs it to check the signatures.
        print(f"VERDICT_HOOK_SECRET={registered.secret}", flush=True)
    return 0


async def hooks_list(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings):
        hooks = await list_hooks()
        for hook in hooks:
            pending = await HookDelivery.filter(hook_id=hook.id, state="pending").count()
            failed = await HookDelivery.filter(hook_id=hook.id, state="failed").count()
            content = "; ".join(
                f"{c}={','.join(paths)}" if paths else c for c, paths in hook.content.items()
            )
            print(
                f"{hook.name}\t{hook.url}\t{content}\tpending={pending} failed={failed}",
                flush=True,
            )
    if not hooks:
        _say("no hooks (add one with `verdict hooks add NAME URL`)")
    return 0


async def hooks_remove(args: argparse.Namespace, settings: Settings) -> int:
    async with database(settings):
        removed = await remove_hook(args.name)
    if not removed:
        _say(f"verdict hooks remove: no hook named {args.name!r}")
        return 1
    _say(f"hook {args.name!r} removed")
    return 0


def add_hooks_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hooks = sub.add_parser(
        "hooks",
        help="manage the revalidation webhooks sent after each sync",
        description="Outgoing webhooks that tell a statically built site which slugs changed "
        "and which paths to rebuild, after each sync transaction.",
    )
    hooks_sub = hooks.add_subparsers(dest="hooks_command", required=True, metavar="COMMAND")
    add = hooks_sub.add_parser(
        "add",
        help="register a hook",
        description="Register a hook. Without --content it hears of comparisons "
        "(paths /compare/{slug} and /), tools and reviewers (slugs only).",
    )
    add.add_argument("name", help="a unique name")
    add.add_argument("url", help="where to POST, e.g. https://site.example/api/revalidate")
    add.add_argument(
        "--secret", help="the HMAC-SHA256 key (default: a new random one, printed once)"
    )
    add.add_argument(
        "--content",
        action="append",
        metavar="COLLECTION[=PATH,...]",
        help="content to hear of, with its site paths ({slug} is replaced); repeatable, "
        "e.g. --content 'comparisons=/compare/{slug},/' --content tools=/tools/{slug}",
    )
    add.set_defaults(handler=hooks_add)
    listing = hooks_sub.add_parser("list", help="list the hooks and their pending notices")
    listing.set_defaults(handler=hooks_list)
    remove = hooks_sub.add_parser("remove", help="remove a hook and its pending notices")
    remove.add_argument("name")
    remove.set_defaults(handler=hooks_remove)
