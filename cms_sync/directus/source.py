"""Directus as a sync source, over its REST API.

Entries are read with keyset pagination on (date_updated, id), since Directus has no cursors:
``GET /items/<collection>?filter=...&sort=date_updated,id&limit=N``. Deletions come from the
activity log (``GET /activity``, one row per deleted item, its id as a string in ``item``).
Directus's integer keys page the reads; the engine gets every id (and m2o reference) as its
decimal text, as Verdict keeps ids (``cms_sync.entries.text_ids``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import orjson

from cms_sync.entries import text_ids
from cms_sync.http import HttpLimits, JsonSource, RetryPolicy, Sleep
from cms_sync.mapping import Mapping, load_mapping
from cms_sync.pagination import IdKeyset, Keyset
from cms_sync.source import RawEntry, SourceError

DEFAULT_PAGE_SIZE = 500
ID_PAGE_SIZE = 10_000


class DirectusSource(JsonSource):
    """Reads one Directus with a read-only static token; use as ``async with``."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        limits: HttpLimits | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
        mapping: Mapping | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self._page_size = page_size
        self._mapping = mapping if mapping is not None else load_mapping("directus")
        super().__init__(base_url, token, limits=limits, policy=policy, sleep=sleep)

    @property
    def name(self) -> str:
        return "directus"

    def _names(self, collection: str) -> tuple[str, str, str]:
        """Directus's collection, id field and updated-at field for ``collection``."""
        spec = self._mapping.collections[collection]
        return spec.cms_type, ".".join(spec.id_path), ".".join(spec.updated_paths[0])

    async def changed(
        self, collection: str, since: datetime | None, until: datetime
    ) -> AsyncIterator[list[RawEntry]]:
        cms_type, key, updated = self._names(collection)
        keyset = Keyset(collection)
        while True:
            bounds: list[dict[str, Any]] = [{updated: {"_lte": _stamp(until)}}]
            if since is not None:
                bounds.append({updated: {"_gt": _stamp(since)}})
            if keyset.last is not None:
                last_time, last_id = keyset.last
                bounds.append(
                    {
                        "_or": [
                            {updated: {"_gt": _stamp(last_time)}},
                            {
                                "_and": [
                                    {updated: {"_gte": _stamp(last_time)}},
                                    {key: {"_gt": last_id}},
                                ]
                            },
                        ]
                    }
                )
            page = await self._items(
                cms_type,
                {
                    "filter": orjson.dumps({"_and": bounds}).decode(),
                    "sort": f"{updated},{key}",
                    "limit": str(self._page_size),
                },
            )
            if not page:
                return
            entries = [self._mapping.canonical(collection, raw) for raw in page]
            keyset.advance(entries)  # Directus's integer keys page the reads
            yield [text_ids(collection, entry) for entry in entries]
            if len(page) < self._page_size:
                return

    async def all_ids(self, collection: str) -> set[str]:
        cms_type, key, _ = self._names(collection)
        keyset = IdKeyset(collection)
        found: set[str] = set()
        while True:
            page = await self._items(
                cms_type,
                {
                    "filter": orjson.dumps({key: {"_gt": keyset.last}}).decode(),
                    "fields": key,
                    "sort": key,
                    "limit": str(ID_PAGE_SIZE),
                },
            )
            ids = [_int_id(collection, e.get(key)) for e in page]
            if not ids:
                return found
            keyset.advance(ids)
            found.update(str(i) for i in ids)
            if len(ids) < ID_PAGE_SIZE:
                return found

    async def deleted_since(self, collection: str, since: datetime) -> set[str]:
        cms_type, _, _ = self._names(collection)
        keyset = IdKeyset(f"{collection} activity")
        deleted: set[str] = set()
        while True:
            rows = _data(
                collection,
                await self._client.get(
                    "/activity",
                    {
                        "filter[collection][_eq]": cms_type,
                        "filter[action][_eq]": "delete",
                        "filter[timestamp][_gt]": _stamp(since),
                        "filter[id][_gt]": str(keyset.last),
                        "fields": "id,item",
                        "sort": "id",
                        "limit": str(ID_PAGE_SIZE),
                    },
                    what=collection,
                ),
            )
            if not rows:
                return deleted
            keyset.advance([_int_id(collection, row.get("id")) for row in rows])
            for row in rows:
                item = row.get("item")
                # Directus stores the key as a string; ids of other key types are not ours.
                if isinstance(item, str) and item.isdigit():
                    deleted.add(str(int(item)))
                elif isinstance(item, int) and not isinstance(item, bool):
                    deleted.add(str(item))
            if len(rows) < ID_PAGE_SIZE:
                return deleted

    async def _items(self, cms_type: str, params: dict[str, str]) -> list[RawEntry]:
        document = await self._client.get(f"/items/{cms_type}", params, what=cms_type)
        return _data(cms_type, document)


def _data(collection: str, document: Any) -> list[RawEntry]:
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise SourceError(f"{collection}: the CMS answered without a 'data' list of objects")
    return data


def _int_id(collection: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise SourceError(f"{collection}: the CMS answered an entry with a non-integer id {value!r}")


def _stamp(moment: datetime) -> str:
    """ISO UTC with milliseconds, the form Directus stores and compares."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
