"""A source that reads a content export in Directus's REST shape from a folder.

The demo's bundled sample content is such an export (``content/sample/<collection>.json``, each
``{"data": [...]}`` as ``GET /items/<collection>`` returns it), so the demo goes through the same
engine as a live CMS. Its integer ids are handed on as their decimal text, as the Directus
source does (an export may hold text ids too: a Contentful-like ``5KsDBWseXY6QegucYAoacS``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import orjson

from cms_sync.entries import parse_timestamp, text_id, text_ids
from cms_sync.source import RawEntry, SourceError

PAGE_SIZE = 200


class ExportSource:
    """Content export on disk. It has no activity log: deletions show up in full reconciliation."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._cache: dict[str, list[RawEntry]] = {}

    @property
    def name(self) -> str:
        return "export"

    def _load(self, collection: str) -> list[RawEntry]:
        if collection not in self._cache:
            path = self._folder / f"{collection}.json"
            try:
                document = orjson.loads(path.read_bytes())
            except FileNotFoundError:
                raise SourceError(f"{collection}: export file {path} is missing") from None
            except orjson.JSONDecodeError as exc:
                raise SourceError(
                    f"{collection}: export file {path} is not valid JSON: {exc}"
                ) from None
            data = document.get("data") if isinstance(document, dict) else None
            if not isinstance(data, list):
                raise SourceError(f"{collection}: export file {path} has no 'data' list")
            self._cache[collection] = [e for e in data if isinstance(e, dict)]
        return self._cache[collection]

    async def changed(
        self, collection: str, since: datetime | None, until: datetime
    ) -> AsyncIterator[list[RawEntry]]:
        selected: list[tuple[datetime, str, RawEntry]] = []
        for raw in self._load(collection):
            entry = text_ids(collection, raw)
            updated = _updated_at(entry)
            if updated is None:
                # Let the engine quarantine it with a precise reason; order it first.
                selected.append((datetime.min.replace(tzinfo=until.tzinfo), "", entry))
                continue
            if (since is None or updated > since) and updated <= until:
                entry_id = entry.get("id")
                selected.append((updated, entry_id if isinstance(entry_id, str) else "", entry))
        selected.sort(key=lambda item: (item[0], item[1]))
        for start in range(0, len(selected), PAGE_SIZE):
            yield [entry for _, _, entry in selected[start : start + PAGE_SIZE]]

    async def all_ids(self, collection: str) -> set[str]:
        found = (text_id(e.get("id")) for e in self._load(collection))
        return {i for i in found if isinstance(i, str)}

    async def deleted_since(self, collection: str, since: datetime) -> set[str]:
        return set()


def _updated_at(entry: RawEntry) -> datetime | None:
    raw = entry.get("date_updated") or entry.get("date_created")
    if not isinstance(raw, str):
        return None
    try:
        return parse_timestamp(raw)
    except ValueError:
        return None
