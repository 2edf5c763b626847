"""From the content version keys a change bumped to the notices each revalidation hook gets:
which slugs changed how, and which site paths to rebuild."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.models import Model

from verdict.models.content import Comparison, Reviewer, Status, Tool
from verdict.models.outbox import HookDelivery, RevalidationHook

PAGED: dict[str, type[Model]] = {"comparisons": Comparison, "tools": Tool, "reviewers": Reviewer}
"""The collections with pages of their own; reviews and sides show on their tools' and
comparisons' pages (whose keys the change bumps too)."""
EVENT = "content.changed"


@dataclass(frozen=True, slots=True)
class EntityState:
    slug: str
    published: bool


async def read_states(version_keys: Iterable[str]) -> dict[tuple[str, str], EntityState]:
    """The slug and visibility of each row named by an entity key (``comparisons:3``)."""
    wanted: dict[str, list[str]] = {}
    for key in version_keys:
        collection, _, row_id = key.partition(":")  # the id: everything after the first ':'
        if collection in PAGED and row_id:
            wanted.setdefault(collection, []).append(row_id)
    states: dict[tuple[str, str], EntityState] = {}
    for collection, ids in wanted.items():
        rows = await PAGED[collection].filter(id__in=ids).values_list("id", "slug", "status")
        for row_id, slug, status in rows:
            states[(collection, str(row_id))] = EntityState(str(slug), status == Status.PUBLISHED)
    return states


def _action(before: EntityState | None, after: EntityState | None) -> str | None:
    was = before is not None and before.published
    is_ = after is not None and after.published
    if was and is_:
        return "updated"
    if is_:
        return "published"
    if was:
        return "deleted" if after is None else "unpublished"
    return None  # a draft changed: nothing public did


def changes_between(
    keys: set[str],
    before: dict[tuple[str, str], EntityState],
    after: dict[tuple[str, str], EntityState],
) -> list[dict[str, Any]]:
    """One change per public row the keys name: its collection, slug(s) and action."""
    found: list[dict[str, Any]] = []
    for collection, row_id in sorted(set(before) | set(after)):
        old, new = before.get((collection, row_id)), after.get((collection, row_id))
        action = _action(old, new)
        if action is None:
            continue
        # A deletion or unpublish notice still names the slug: the receiver must drop its page.
        shown = new if new is not None and new.published else old
        assert shown is not None
        change: dict[str, Any] = {"collection": collection, "slug": shown.slug, "action": action}
        if old is not None and old.published and new is not None and old.slug != new.slug:
            change["previous_slug"] = old.slug
        found.append(change)
    return found


def payload_for(
    content: dict[str, list[str]], changes: list[dict[str, Any]], key: str
) -> dict[str, Any] | None:
    """The notice one hook gets (None when none of its content changed)."""
    mine = [dict(c) for c in changes if c["collection"] in content]
    if not mine:
        return None
    paths: set[str] = set()
    for change in mine:
        templates = content[change["collection"]]
        slugs = [change["slug"], *([change["previous_slug"]] if "previous_slug" in change else [])]
        change["paths"] = sorted(
            {t.replace("{slug}", s) for t in templates if "{slug}" in t for s in slugs}
        )
        paths.update(change["paths"])
        # A row appearing, leaving or changing changes its collection's listings.
        paths.update(t for t in templates if "{slug}" not in t)
    return {
        "id": key,
        "event": EVENT,
        "created_at": datetime.now(UTC).isoformat(),
        "slugs": sorted({c["slug"] for c in mine}),
        "paths": sorted(paths),
        "changes": mine,
    }


async def enqueue_notices(keys: set[str], before: dict[tuple[str, str], EntityState]) -> None:
    """Queue each hook's notice of a change; call inside its transaction, after the change."""
    hooks = await RevalidationHook.all()
    if not hooks:
        return
    after = await read_states(keys | {f"{c}:{i}" for c, i in before})
    changes = changes_between(keys, before, after)
    if not changes:
        return
    now = datetime.now(UTC)
    rows = []
    for hook in hooks:
        key = uuid.uuid4().hex
        payload = payload_for(hook.content, changes, key)
        if payload is not None:
            rows.append(
                HookDelivery(hook_id=hook.id, idempotency_key=key, payload=payload, due_at=now)
            )
    if rows:
        await HookDelivery.bulk_create(rows)
