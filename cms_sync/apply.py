"""Applying one page of CMS entries to the database, atomically with its checkpoint."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from cms_sync.bounds import over_limit
from cms_sync.entries import OVER_LIMIT, EntryError, ParsedEntry, parse_entry
from cms_sync.invalidation import affected_keys
from cms_sync.source import RawEntry
from verdict import notices, panels
from verdict.content_versions import bump
from verdict.feed_log import record_changes
from verdict.models.content import Comparison, ComparisonSide, Review, Reviewer, Tool
from verdict.models.sync import QuarantinedEntry, SyncCheckpoint

MODELS: dict[str, type[Model]] = {
    "tools": Tool,
    "reviewers": Reviewer,
    "reviews": Review,
    "comparisons": Comparison,
    "comparison_sides": ComparisonSide,
}

MISSING_REFERENCE = "missing_reference"
_KEY_LENGTH = 255  # sync_quarantine.cms_id


def quarantine_key(raw_id: object) -> str:
    """The key an entry is quarantined under: its id as text (``None`` when it has none), cut to
    the column's length (an over-long id is quarantined for being one, under its first part)."""
    return (raw_id if isinstance(raw_id, str) else str(raw_id))[:_KEY_LENGTH]


@dataclass(slots=True)
class PageResult:
    applied: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    """(cms id, reason) of every entry quarantined by this page."""


async def apply_page(
    source: str, collection: str, raw_entries: list[RawEntry], *, cursor: datetime | None
) -> PageResult:
    """Upsert a page of entries and advance the checkpoint to ``cursor``, in one transaction.

    Malformed entries, entries whose references have not arrived and entries that would take a
    list past its bound (``cms_sync.bounds``) are quarantined with their reason; the rest of the
    page is applied.
    """
    result = PageResult()
    parsed: dict[str, ParsedEntry] = {}
    raws: dict[str, RawEntry] = {}
    failures: dict[str, tuple[str, str, RawEntry]] = {}
    for raw in raw_entries:
        try:
            entry = parse_entry(collection, raw)
        except EntryError as exc:
            failures[quarantine_key(raw.get("id"))] = (exc.code, exc.reason, raw)
            continue
        previous = parsed.get(entry.id)
        if previous is None or entry.updated_at >= previous.updated_at:
            parsed[entry.id] = entry  # overlapping windows: keep the newest copy of an id
            raws[entry.id] = raw

    async with in_transaction():
        for entry_id, absent in (await _missing_references(parsed.values())).items():
            parsed.pop(entry_id)
            missing = ", ".join(absent)
            failures[entry_id] = (
                MISSING_REFERENCE,
                f"waits for {missing} to be synced",
                raws[entry_id],
            )
        for entry_id, reason in (await over_limit(collection, list(parsed.values()))).items():
            parsed.pop(entry_id)
            failures[entry_id] = (OVER_LIMIT, reason, raws[entry_id])
        model = MODELS[collection]
        stored = dict(await model.filter(id__in=list(parsed)).values_list("id", "cms_updated_at"))
        changed = [e for e in parsed.values() if stored.get(e.id) != e.updated_at]
        result.unchanged = len(parsed) - len(changed)
        before = await affected_keys(collection, [e.id for e in changed])
        seen = await notices.snapshot(before)
        applied_ids = await _upsert(model, changed, failures, raws)
        result.applied = len(applied_ids)
        if applied_ids:
            # Same transaction as the rows: a cached response never outlives what it shows.
            after = await affected_keys(collection, applied_ids)
            await bump(before | after | {collection})
            await notices.record(before | after | {collection}, seen)
            await record_changes(before | after)  # the feed's positions and tombstones, too
            await panels.recount(panels.tools_in(before | after))
        clean = [i for i in parsed if i not in failures]
        if clean:
            await QuarantinedEntry.filter(
                source=source, collection=collection, cms_id__in=clean
            ).delete()
        for cms_id, (code, reason, raw) in failures.items():
            await _quarantine(source, collection, cms_id, code, reason, raw)
            result.quarantined.append((cms_id, reason))
        if cursor is not None:
            await advance_checkpoint(source, collection, cursor)
    return result


async def _upsert(
    model: type[Model],
    entries: list[ParsedEntry],
    failures: dict[str, tuple[str, str, RawEntry]],
    raws: dict[str, RawEntry],
) -> list[str]:
    if not entries:
        return []
    update_fields = [c for c in entries[0].columns if c != "id"]
    try:
        async with in_transaction():
            await model.bulk_create(
                [model(**e.columns) for e in entries],
                on_conflict=["id"],
                update_fields=update_fields,
            )
        return [e.id for e in entries]
    except IntegrityError:
        pass
    # One entry broke a constraint (a slug taken by another entry): find it, apply the rest.
    applied: list[str] = []
    for entry in entries:
        try:
            async with in_transaction():
                await model.bulk_create(
                    [model(**entry.columns)], on_conflict=["id"], update_fields=update_fields
                )
            applied.append(entry.id)
        except IntegrityError as exc:
            failures[entry.id] = (
                "conflict",
                f"conflicts with another entry: {exc}",
                raws[entry.id],
            )
    return applied


async def _missing_references(entries: Iterable[ParsedEntry]) -> dict[str, list[str]]:
    """Entry id -> the references (``tools 7``) not in the database yet."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for collection, ref in entry.references.items():
            wanted[collection].add(ref)
    present: dict[str, set[str]] = {}
    for collection, ids in wanted.items():
        present[collection] = await _existing_ids(MODELS[collection], ids)
    missing: dict[str, list[str]] = {}
    for entry in entries:
        absent = [f"{c} {ref}" for c, ref in entry.references.items() if ref not in present[c]]
        if absent:
            missing[entry.id] = absent
    return missing


async def _existing_ids(model: type[Model], ids: set[str] | None = None) -> set[str]:
    query = model.all() if ids is None else model.filter(id__in=sorted(ids))
    rows: list[Any] = await query.values_list("id", flat=True)
    return {str(i) for i in rows}


async def existing_ids(collection: str) -> set[str]:
    """Every id stored locally for ``collection``."""
    return await _existing_ids(MODELS[collection])


async def _quarantine(
    source: str, collection: str, cms_id: str, code: str, reason: str, raw: RawEntry
) -> None:
    updated = await QuarantinedEntry.filter(
        source=source, collection=collection, cms_id=cms_id
    ).update(reason_code=code, reason=reason, payload=raw)
    if not updated:
        await QuarantinedEntry.create(
            source=source,
            collection=collection,
            cms_id=cms_id,
            reason_code=code,
            reason=reason,
            payload=raw,
        )


async def advance_checkpoint(
    source: str, collection: str, cursor: datetime, *, full_sync_at: datetime | None = None
) -> None:
    """Move the collection's cursor forward (never back); call inside the page's transaction."""
    checkpoint = await SyncCheckpoint.get_or_none(source=source, collection=collection)
    if checkpoint is None:
        await SyncCheckpoint.create(
            source=source, collection=collection, cursor=cursor, last_full_sync_at=full_sync_at
        )
        return
    changes: dict[str, Any] = {}
    if checkpoint.cursor is None or cursor > checkpoint.cursor:
        changes["cursor"] = cursor
    if full_sync_at is not None:
        changes["last_full_sync_at"] = full_sync_at
    if changes:
        await SyncCheckpoint.filter(id=checkpoint.id).update(**changes)


async def delete_entries(source: str, collection: str, ids: set[str]) -> int:
    """Delete entries the CMS no longer has (and their quarantine records). Never touches votes.

    Call inside a transaction: the content versions are bumped with the deletion.
    """
    if not ids:
        return 0
    id_list = sorted(ids)
    keys = await affected_keys(collection, id_list)
    seen = await notices.snapshot(keys)
    rows = MODELS[collection].filter(id__in=id_list)
    # Counted, not taken from DELETE's row count: SQLite's includes rows removed by cascades.
    deleted = await rows.count()
    await rows.delete()
    if deleted:
        await bump(keys | {collection})
        await notices.record(keys | {collection}, seen)
        await record_changes(keys)  # tombstones, in the transaction of the deletion
        await panels.recount(panels.tools_in(keys))
    await QuarantinedEntry.filter(source=source, collection=collection, cms_id__in=id_list).delete()
    return deleted
