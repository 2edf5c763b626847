"""Registering revalidation hooks (``verdict hooks add|list|remove``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError

from verdict.hooks.changes import PAGED
from verdict.models.outbox import RevalidationHook

DEFAULT_CONTENT: dict[str, list[str]] = {
    "comparisons": ["/compare/{slug}", "/"],
    "tools": [],
    "reviewers": [],
}
"""The demo site's routes: a page per comparison and the list of them on ``/``."""


class HookError(Exception):
    """A hook cannot be registered as asked; the message says why, for the operator."""


@dataclass(frozen=True, slots=True)
class Registered:
    hook: RevalidationHook
    secret: str


def parse_content(specs: Sequence[str]) -> dict[str, list[str]]:
    """``["comparisons=/compare/{slug},/", "tools"]`` -> collections and their path templates."""
    if not specs:
        return {k: list(v) for k, v in DEFAULT_CONTENT.items()}
    content: dict[str, list[str]] = {}
    for spec in specs:
        collection, _, paths = spec.partition("=")
        collection = collection.strip()
        if collection not in PAGED:
            choices = ", ".join(PAGED)
            raise HookError(f"unknown content {collection!r} (one of {choices})")
        templates = [p.strip() for p in paths.split(",") if p.strip()]
        for template in templates:
            if not template.startswith("/"):
                raise HookError(f"path {template!r} must start with /")
        content.setdefault(collection, []).extend(templates)
    return content


async def add_hook(
    name: str, url: str, content: dict[str, list[str]], secret: str | None = None
) -> Registered:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HookError(f"URL {url!r} must be an http(s) URL")
    if not name.strip():
        raise HookError("the name must not be empty")
    secret = secret or secrets.token_urlsafe(32)
    try:
        hook = await RevalidationHook.create(name=name, url=url, secret=secret, content=content)
    except IntegrityError:
        raise HookError(f"a hook named {name!r} exists (remove it first)") from None
    return Registered(hook, secret)


async def list_hooks() -> list[RevalidationHook]:
    return await RevalidationHook.all().order_by("name")


async def remove_hook(name: str) -> bool:
    """Remove the hook and its pending notices; False when there is none of that name."""
    return bool(await RevalidationHook.filter(name=name).delete())
