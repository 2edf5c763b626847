"""A content export held in memory that a test or benchmark edits, then syncs through the
real engine: the export path the demo and tests/cms_sync use, with edits (no Directus). Edits
name entries by their integer ids, as the export holds them; the engine gets them as text."""

from __future__ import annotations

import copy
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from cms_sync.entries import parse_timestamp, text_ids
from cms_sync.source import RawEntry

_MS = timedelta(milliseconds=1)
COLLECTIONS = ("tools", "reviewers", "reviews", "comparisons", "comparison_sides")


class EditableExport:
    """Named ``export`` like cms_sync.export_source.ExportSource: it continues its checkpoints."""

    def __init__(self, folder: Path) -> None:
        self.entries: dict[str, dict[int, RawEntry]] = {}
        for collection in COLLECTIONS:
            data = orjson.loads((folder / f"{collection}.json").read_bytes())["data"]
            self.entries[collection] = {int(e["id"]): e for e in data}
        self._deleted: dict[str, dict[int, datetime]] = {c: {} for c in COLLECTIONS}
        self._clock = datetime.min.replace(tzinfo=UTC)

    @property
    def name(self) -> str:
        return "export"

    def _tick(self) -> datetime:
        # Strictly increasing stamps in whole milliseconds (the CMS's precision), never ahead of
        # the clock: a sync starting right after the edit must see it.
        now = datetime.now(UTC)
        stamp = max(now.replace(microsecond=now.microsecond // 1000 * 1000), self._clock + _MS)
        while datetime.now(UTC) < stamp:
            time.sleep(0.0005)
        self._clock = stamp
        return stamp

    def edit(self, collection: str, entry_id: int, **changes: Any) -> RawEntry:
        """Change an entry as an editor would (its updated-at moves)."""
        entry = self.entries[collection][entry_id]
        entry.update(changes)
        entry["date_updated"] = (
            self._tick().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        return copy.deepcopy(entry)

    def delete(self, collection: str, entry_id: int) -> None:
        self.entries[collection].pop(entry_id)
        self._deleted[collection][entry_id] = self._tick()

    async def changed(
        self, collection: str, since: datetime | None, until: datetime
    ) -> AsyncIterator[list[RawEntry]]:
        selected = []
        for entry in self.entries[collection].values():
            updated = parse_timestamp(entry.get("date_updated") or entry["date_created"])
            if (since is None or updated > since) and updated <= until:
                selected.append(
                    (updated, int(entry["id"]), text_ids(collection, copy.deepcopy(entry)))
                )
        selected.sort(key=lambda item: (item[0], item[1]))
        if selected:
            yield [e for _, _, e in selected]

    async def all_ids(self, collection: str) -> set[str]:
        return {str(i) for i in self.entries[collection]}

    async def deleted_since(self, collection: str, since: datetime) -> set[str]:
        return {str(i) for i, at in self._deleted[collection].items() if at > since}
