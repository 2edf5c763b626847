"""Deleting an aggregate: a parent's deletion takes its children with it, as in the CMS.

In Directus, every m2o relation of the content model deletes on ``CASCADE`` (an editor deletes a
comparison in one step and its sides go with it). The database does that cascade, so the CMS's
activity log and webhooks only name the parent. A parent's deletion implies its children's, so
the sync mirrors the cascade itself: the children the local database holds for the deleted
parents (and the quarantine records of children that never synced) leave in the same
transaction as the parents, each counted under its own collection and bumping its own cache keys.
Votes hang off slugs, not rows, and are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from cms_sync.apply import MODELS, delete_entries
from cms_sync.content_model import load_content_model
from verdict.models.sync import QuarantinedEntry


@cache
def child_relations() -> Mapping[str, tuple[tuple[str, str], ...]]:
    """Parent collection -> its (child collection, m2o field) pairs, from the content model."""
    found: dict[str, list[tuple[str, str]]] = {}
    for name, spec in load_content_model().collections.items():
        for field_spec in spec.fields:
            if field_spec.type == "m2o" and field_spec.related is not None:
                found.setdefault(field_spec.related, []).append((name, field_spec.name))
    return {parent: tuple(children) for parent, children in found.items()}


async def delete_aggregates(source: str, collection: str, ids: Iterable[str]) -> dict[str, int]:
    """Delete ``ids`` of ``collection`` and, first, every child they imply; counts per collection.

    Call inside a transaction, as :func:`cms_sync.apply.delete_entries`.
    """
    counts: dict[str, int] = {}
    await _delete(source, collection, set(ids), counts)
    return counts


async def _delete(source: str, collection: str, ids: set[str], counts: dict[str, int]) -> None:
    if not ids:
        return
    for child, field_name in child_relations().get(collection, ()):
        rows: list[Any] = await (
            MODELS[child]
            .filter(**{f"{field_name}_id__in": sorted(ids)})
            .values_list("id", flat=True)
        )
        await _delete(source, child, {str(r) for r in rows}, counts)
        await _forget_quarantined_children(source, child, field_name, ids)
    deleted = await delete_entries(source, collection, ids)
    if deleted:
        counts[collection] = counts.get(collection, 0) + deleted


async def _forget_quarantined_children(
    source: str, child: str, field_name: str, parents: set[str]
) -> None:
    """A child that never synced (quarantined) went with its parent in the CMS too."""
    held: list[tuple[Any, Any]] = await QuarantinedEntry.filter(
        source=source, collection=child
    ).values_list("id", "payload")
    gone = [row_id for row_id, payload in held if _refers_to(payload, field_name, parents)]
    if gone:
        await QuarantinedEntry.filter(id__in=gone).delete()


def _refers_to(payload: Any, field_name: str, parents: set[str]) -> bool:
    if not isinstance(payload, dict):
        return False
    value = payload.get(field_name)
    if isinstance(value, dict):  # an expanded relation
        value = value.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # a Directus integer key, as the sync keeps it
    return isinstance(value, str) and value in parents
