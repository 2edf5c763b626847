"""Strapi 5 as a sync source, over its REST API (``/api/<plural>``) with a read-only token.

Strapi's REST API filters and sorts but has no cursor, and a document has two versions (draft,
published) with their own timestamps, so one pass is two steps:

1. **List** the documents that changed in the window, by id only (``fields=documentId`` and a
   timestamp, 1,000 a page, keyset on ``documentId``): drafts whose ``updatedAt`` moved (create,
   edit; publishing through the editor saves the draft too), published versions whose
   ``publishedAt`` moved (a publish), and documents a webhook named (an unpublish touches
   neither). Each gets the newest of those timestamps as its key.
2. **Read** them in key order, 100 a request (``filters[documentId][$in]``) and 500 a page
   handed to the engine (one transaction each), draft and published
   versions with every relation's ``documentId``, and hand the engine canonical entries
   (:mod:`cms_sync.strapi.versions` picks the version the public sees, the mapping
   ``schema/cms/strapi.json`` names the fields). Pages come in ascending key order and an
XX

Deletions: Strapi CE keeps no log. An ``entry.delete`` webhook names the document
(:mod:`cms_sync.strapi.hints`); it is reported deleted only when the API no longer has it.
Full reconciliation compares every ``documentId`` and catches what a missed webhook dropped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any, Final

from cms_sync.entries import parse_timestamp
from cms_sync.http import HttpLimits, JsonSource, RetryPolicy, Sleep
from cms_sync.mapping import Mapping, load_mapping
from cms_sync.source import RawEntry, SourceError
from cms_sync.strapi.hints import Hints
from cms_sync.strapi.versions import visible_version

LIST_PAGE_SIZE: Final = 1000
"""Ids per listing page; ``rest.maxLimit`` in ``cms/strapi/config/api.js`` allows it."""
READ_CHUNK: Final = 100
"""Documents per read: 100 ids in ``$in`` keep the request line well under Node's 16 KiB."""
DEFAULT_PAGE_SIZE: Final = 500
"""Documents per page handed to the engine (several reads): each page is one transaction."""


class StrapiSource(JsonSource):
    """Reads one Strapi; use as ``async with``. ``hints`` are fed by the webhook endpoint."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        hints: Hints | None = None,
        mapping: Mapping | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        read_chunk: int = READ_CHUNK,
        list_page_size: int = LIST_PAGE_SIZE,
        limits: HttpLimits | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        if page_size < 1 or read_chunk < 1 or list_page_size < 1:
            raise ValueError("page sizes must be positive")
        self._page_size = page_size
        self.hints = hints if hints is not None else Hints()
        self._mapping = mapping if mapping is not None else load_mapping("strapi")
        self._read_chunk = read_chunk
        self._list_page_size = list_page_size
        super().__init__(base_url, token, limits=limits, policy=policy, sleep=sleep)

    @property
    def name(self) -> str:
        return "strapi"

    # -- the Source protocol ------------------------------------------------------------

    async def changed(
        self, collection: str, since: datetime | None, until: datetime
    ) -> AsyncIterator[list[RawEntry]]:
        keys = await self._changed_keys(collection, since, until)
        ordered = sorted(keys, key=lambda d: (keys[d], d))
        for start in range(0, len(ordered), self._page_size):
            page: list[RawEntry] = []
            chunk = ordered[start : start + self._page_size]
            for at in range(0, len(chunk), self._read_chunk):
                page.extend(await self.read(collection, chunk[at : at + self._read_chunk]))
            if page:
                yield page

    def note_deleted(self, collection: str, ids: frozenset[str]) -> None:
        """A webhook said these documents were deleted (confirmed before they are reported)."""
        self.hints.note_deleted(collection, ids)

    def note_changed(self, collection: str, ids: frozenset[str]) -> None:
        """A webhook said these were unpublished: the next pass re-reads them."""
        self.hints.note_changed(collection, ids)

    async def all_ids(self, collection: str) -> set[str]:
        return set(await self._list(collection, "draft", None, {}))

    async def deleted_since(self, collection: str, since: datetime) -> set[str]:
        hinted = self.hints.take_deleted(collection)
        if not hinted:
            return set()
        try:
            still_there = await self._present(collection, hinted)
        except BaseException:
            self.hints.note_deleted(collection, frozenset(hinted))  # for the next pass
            raise
        return hinted - still_there

    # -- reading --------------------------------------------------------------------------

    async def read(self, collection: str, document_ids: list[str]) -> list[RawEntry]:
        """Canonical entries for these documents (those that still exist), in the given order."""
        if not document_ids:
            return []
        spec = self._mapping.collections[collection]
        drafts = await self._versions(collection, "draft", document_ids)
        published = {}
        if spec.status is not None:
            published = await self._versions(collection, "published", document_ids)
        return [
            self._mapping.canonical(collection, visible_version(spec, drafts[d], published.get(d)))
            for d in document_ids
            if d in drafts
        ]

    async def _changed_keys(
        self, collection: str, since: datetime | None, until: datetime
    ) -> dict[str, datetime]:
        keys: dict[str, datetime] = {}
        has_status = self._mapping.collections[collection].status is not None
        touched = self.hints.take_changed(collection)
        try:
            await self._list_window(collection, since, until, has_status, keys)
        except BaseException:
            self.hints.note_changed(collection, frozenset(touched))  # for the next pass
            raise
        for document_id in touched:
            keys.setdefault(document_id, until)
        return keys

    async def _list_window(
        self,
        collection: str,
        since: datetime | None,
        until: datetime,
        has_status: bool,
        keys: dict[str, datetime],
    ) -> None:
        window: dict[str, str]
        for status, stamp in (("draft", "updatedAt"), ("published", "publishedAt")):
            if status == "published" and not has_status:
                continue
            window = {f"filters[{stamp}][$lte]": _stamp(until)}
            if since is not None:
                window[f"filters[{stamp}][$gt]"] = _stamp(since)
            found = await self._list(collection, status, stamp, window)
            for document_id, moment in found.items():
                if moment is not None and (document_id not in keys or moment > keys[document_id]):
                    keys[document_id] = moment

    async def _list(
        self, collection: str, status: str, stamp: str | None, filters: dict[str, str]
    ) -> dict[str, datetime | None]:
        """documentId -> timestamp (``stamp``) of every version matching ``filters``."""
        path = self._path(collection)
        found: dict[str, datetime | None] = {}
        last = ""
        while True:
            params = {
                **filters,
                "status": status,
                "fields[0]": "documentId",
                "sort[0]": "documentId:asc",
                "pagination[page]": "1",
                "pagination[pageSize]": str(self._list_page_size),
                "pagination[withCount]": "false",
            }
            if stamp is not None:
                params["fields[1]"] = stamp
            if last:
                params["filters[documentId][$gt]"] = last
            rows = _data(collection, await self._client.get(path, params, what=collection))
            for row in rows:
                document_id = _document_id(collection, row)
                if document_id <= last:
                    raise SourceError(
                        f"{collection}: pagination loop detected: documentId {document_id!r} "
                        f"is not after {last!r}; the CMS is not honouring the page filter"
                    )
                last = document_id
                found[document_id] = _moment(collection, row.get(stamp)) if stamp else None
            if len(rows) < self._list_page_size:
                return found

    async def _versions(
        self, collection: str, status: str, document_ids: list[str]
    ) -> dict[str, dict[str, Any]]:
        spec = self._mapping.collections[collection]
        params = {
            "status": status,
            "pagination[page]": "1",
            "pagination[pageSize]": str(len(document_ids)),
            "pagination[withCount]": "false",
        }
        for index, document_id in enumerate(document_ids):
            params[f"filters[documentId][$in][{index}]"] = document_id
        for field in spec.fields:
            if field.link is not None and field.path is not None:
                params[f"populate[{field.path[0]}][fields][0]"] = ".".join(field.link)
        path = self._path(collection)
        rows = _data(collection, await self._client.get(path, params, what=collection))
        return {_document_id(collection, row): row for row in rows}

    def _path(self, collection: str) -> str:
        return f"/api/{self._mapping.collections[collection].cms_type}"

    async def _present(self, collection: str, document_ids: Iterable[str]) -> set[str]:
        wanted = sorted(document_ids)
        present: set[str] = set()
        path = self._path(collection)
        for start in range(0, len(wanted), self._read_chunk):
            chunk = wanted[start : start + self._read_chunk]
            params = {
                "status": "draft",
                "fields[0]": "documentId",
                "pagination[page]": "1",
                "pagination[pageSize]": str(len(chunk)),
                "pagination[withCount]": "false",
            }
            for index, document_id in enumerate(chunk):
                params[f"filters[documentId][$in][{index}]"] = document_id
            rows = _data(collection, await self._client.get(path, params, what=collection))
            present.update(_document_id(collection, row) for row in rows)
        return present


def _data(collection: str, document: Any) -> list[dict[str, Any]]:
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise SourceError(f"{collection}: the CMS answered without a 'data' list of objects")
    return data


def _document_id(collection: str, row: dict[str, Any]) -> str:
    value = row.get("documentId")
    if not isinstance(value, str) or not value:
        raise SourceError(f"{collection}: the CMS answered an entry without a documentId")
    return value


def _moment(collection: str, value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SourceError(f"{collection}: the CMS answered a timestamp that is not a string")
    try:
        return parse_timestamp(value)
    except ValueError:
        raise SourceError(f"{collection}: the CMS answered an unreadable timestamp") from None


def _stamp(moment: datetime) -> str:
    """ISO UTC with milliseconds, the form Strapi stores and compares."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
