"""The sync engine: initial, incremental and full-reconciliation passes over a Source."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from cms_sync.apply import (
    MISSING_REFERENCE,
    PageResult,
    advance_checkpoint,
    apply_page,
    existing_ids,
    quarantine_key,
)
from cms_sync.cascade import delete_aggregates
from cms_sync.content_model import load_content_model
from cms_sync.entries import OVER_LIMIT, parse_timestamp
from cms_sync.source import RawEntry, Source, StreamSource
from cms_sync.stream import apply_stream_page, load_token, local_key, save_token
from verdict.models.sync import QuarantinedEntry, SyncCheckpoint

# Incremental windows start this far before the checkpoint, so an entry saved in the same instant
# as the last one read is not missed; the overlap's duplicates are dropped by id.
WINDOW_OVERLAP = timedelta(seconds=5)
# Progress lines on long syncs come at most this often (seconds).
PROGRESS_EVERY = 2.0


@dataclass(slots=True)
class CollectionReport:
    applied: int = 0
    unchanged: int = 0
    deleted: int = 0
    quarantined: int = 0


@dataclass(slots=True)
class SyncReport:
    full: bool
    started_at: datetime
    seconds: float = 0.0
    collections: dict[str, CollectionReport] = field(
        default_factory=lambda: defaultdict(CollectionReport)
    )
    quarantine_reasons: list[str] = field(default_factory=list)
    interrupted: bool = False
    """Stopped between pages on request; what was applied is committed with its checkpoints."""

    @property
    def entries_seen(self) -> int:
        return sum(c.applied + c.unchanged + c.quarantined for c in self.collections.values())

    @property
    def changed(self) -> bool:
        return any(c.applied or c.deleted for c in self.collections.values())

    def summary(self) -> str:
        totals = CollectionReport()
        for c in self.collections.values():
            totals.applied += c.applied
            totals.unchanged += c.unchanged
            totals.deleted += c.deleted
            totals.quarantined += c.quarantined
        rate = self.entries_seen / self.seconds if self.seconds > 0 else 0.0
        kind = ("full" if self.full else "incremental") + (
            " (interrupted)" if self.interrupted else ""
        )
        return (
            f"{kind} sync: {totals.applied} applied, {totals.unchanged} unchanged, "
            f"{totals.deleted} deleted, {totals.quarantined} quarantined "
            f"in {self.seconds:.2f}s ({rate:.0f} entries/s)"
        )


class SyncEngine:
    """Pulls a Source into the database. Each page is one transaction with its checkpoint.

    A ``StreamSource`` (one change stream over every collection, resumed by a token) is read as
    a stream instead of per-collection windows; its pages go through the same apply path.
    """

    def __init__(
        self, source: Source | StreamSource, *, progress: Callable[[str], None] | None = None
    ) -> None:
        self._source = source
        self._progress = progress
        self._order = load_content_model().sync_order
        self._last_progress = 0.0

    async def run(self, *, full: bool = False, stop: asyncio.Event | None = None) -> SyncReport:
        """One pass. ``full`` re-reads everything and deletes what the CMS no longer has.

        When ``stop`` is set the pass ends after the page being applied; every page applied so far
        is committed with its checkpoint, so the next pass resumes from there.
        """
        started = datetime.now(UTC)
        clock = time.monotonic()
        self._last_progress = clock
        report = SyncReport(full=full, started_at=started)
        if isinstance(self._source, StreamSource):
            await self._run_stream(self._source, report, full=full, stop=stop)
        else:
            await self._run_windows(self._source, report, full=full, stop=stop)
        report.seconds = time.monotonic() - clock
        return report

    async def _run_windows(
        self, source: Source, report: SyncReport, *, full: bool, stop: asyncio.Event | None
    ) -> None:
        started = report.started_at
        clock = time.monotonic()
        name = source.name
        windows: dict[str, datetime | None] = {}
        for collection in self._order:
            checkpoint = await SyncCheckpoint.get_or_none(source=name, collection=collection)
            cursor = checkpoint.cursor if checkpoint is not None else None
            windows[collection] = None if full or cursor is None else cursor - WINDOW_OVERLAP
        # Deletions first, children before parents: a tool leaves after its reviews, so no
        # database cascade removes (and hides from the counts) what the CMS deleted itself, and
        # an entry deleted and re-created under the same slug leaves before its successor lands.
        for collection in reversed(self._order):
            since = windows[collection]
            if since is not None:
                gone = await source.deleted_since(collection, since)
                async with in_transaction():
                    # The CMS cascades a parent's deletion to its children without logging them.
                    self._count_deleted(report, await delete_aggregates(name, collection, gone))
        for collection in self._order:
            if stop is not None and stop.is_set():
                break
            stats = report.collections[collection]
            since = windows[collection]
            async for page in source.changed(collection, since, started):
                page_cursor = _page_cursor(page, started)
                result = await apply_page(name, collection, page, cursor=page_cursor)
                self._count(report, stats, result)
                self._say(f"{collection}: {stats.applied + stats.unchanged} read", clock, report)
                if stop is not None and stop.is_set():
                    break
        if stop is not None and stop.is_set():
            report.interrupted = True
        else:
            await self._retry_waiting(report)
            if full:
                await self._reconcile(source, report, started)

    async def _run_stream(
        self, source: StreamSource, report: SyncReport, *, full: bool, stop: asyncio.Event | None
    ) -> None:
        """Read the stream from the stored token (from its start when ``full``), page by page.

        A full pass reads the whole stream again and deletes what it no longer holds."""
        clock = time.monotonic()
        name = source.name
        token = None if full else await load_token(name)
        seen: dict[str, set[Any]] | None = {c: set() for c in self._order} if full else None
        last_token: str | None = None
        async for page in source.pages(token):
            result = await apply_stream_page(name, self._order, page, keep_token=not full)
            last_token = page.token
            self._count_deleted(report, result.deleted)
            for collection, applied in result.applied.items():
                self._count(report, report.collections[collection], applied)
            if seen is not None:
                for collection, entries in page.upserts.items():
                    seen.setdefault(collection, set()).update(
                        local_key(e.get("id")) for e in entries
                    )
            self._say(f"{name}: {report.entries_seen} read", clock, report)
            if stop is not None and stop.is_set():
                report.interrupted = True
                return
        await self._retry_waiting(report)
        if seen is not None and last_token is not None:
            await self._reconcile_seen(report, seen, last_token)

    async def _reconcile_seen(
        self, report: SyncReport, seen: dict[str, set[Any]], token: str
    ) -> None:
        """Delete what a full read of the stream did not show (children first), and store the
        read's last token, in one transaction."""
        name = self._source.name
        started = report.started_at
        async with in_transaction():
            await save_token(name, token)
            for collection in reversed(self._order):
                gone_ids = await existing_ids(collection) - seen[collection]
                self._count_deleted(report, await delete_aggregates(name, collection, gone_ids))
            shown = {str(k) for keys in seen.values() for k in keys}
            stale: list[Any] = await QuarantinedEntry.filter(source=name).values_list(
                "cms_id", flat=True
            )
            gone = [c for c in stale if c not in shown]
            if gone:
                await QuarantinedEntry.filter(source=name, cms_id__in=gone).delete()
            for collection in self._order:
                await advance_checkpoint(name, collection, started, full_sync_at=started)

    async def _retry_waiting(self, report: SyncReport) -> None:
        """Entries that waited for a reference (a take whose tool had not come) or for room in a
        bounded list (a side deleted since) get another go."""
        for collection in self._order:
            waiting: list[Any] = await QuarantinedEntry.filter(
                source=self._source.name,
                collection=collection,
                reason_code__in=[MISSING_REFERENCE, OVER_LIMIT],
            ).values_list("payload", flat=True)
            payloads: list[RawEntry] = [p for p in waiting if isinstance(p, dict)]
            if payloads:
                result = await apply_page(self._source.name, collection, payloads, cursor=None)
                stats = report.collections[collection]
                stats.applied += result.applied
                # Still waiting: already counted when first quarantined in this or an earlier pass.

    async def _reconcile(self, source: Source, report: SyncReport, started: datetime) -> None:
        """Compare id sets with the CMS and delete what it no longer has (children first)."""
        name = source.name
        for collection in reversed(self._order):
            cms_ids = await source.all_ids(collection)
            local_ids = await existing_ids(collection)
            async with in_transaction():
                gone_ids = local_ids - cms_ids
                self._count_deleted(report, await delete_aggregates(name, collection, gone_ids))
                stale: list[Any] = await QuarantinedEntry.filter(
                    source=name, collection=collection
                ).values_list("cms_id", flat=True)
                # Quarantine keys are ids as text, cut to the column's length.
                known = {quarantine_key(i) for i in cms_ids}
                gone = [c for c in stale if c not in known]
                if gone:
                    await QuarantinedEntry.filter(
                        source=name, collection=collection, cms_id__in=gone
                    ).delete()
                await advance_checkpoint(name, collection, started, full_sync_at=started)

    def _count_deleted(self, report: SyncReport, counts: dict[str, int]) -> None:
        for collection, deleted in counts.items():
            report.collections[collection].deleted += deleted

    def _count(self, report: SyncReport, stats: CollectionReport, result: PageResult) -> None:
        stats.applied += result.applied
        stats.unchanged += result.unchanged
        stats.quarantined += len(result.quarantined)
        report.quarantine_reasons.extend(f"{cms_id}: {why}" for cms_id, why in result.quarantined)

    def _say(self, message: str, clock: float, report: SyncReport) -> None:
        now = time.monotonic()
        if self._progress is not None and now - self._last_progress >= PROGRESS_EVERY:
            self._last_progress = now
            elapsed = now - clock
            rate = report.entries_seen / elapsed if elapsed > 0 else 0.0
            self._progress(f"{message} ({rate:.0f} entries/s)")


def _page_cursor(page: list[dict[str, object]], until: datetime) -> datetime | None:
    """The newest updated-at in a page, never past the sync's start time."""
    newest: datetime | None = None
    for entry in page:
        raw = entry.get("date_updated") or entry.get("date_created")
        if isinstance(raw, str):
            try:
                stamp = parse_timestamp(raw)
            except ValueError:
                continue
            if newest is None or stamp > newest:
                newest = stamp
    if newest is None:
        return None
    return min(newest, until)
