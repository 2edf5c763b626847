"""Contentful as a stream source, through the Content Delivery API's Sync API.

``GET /spaces/{space}/environments/{env}/sync?initial=true&limit=N`` starts from everything
published; every answer ends in ``nextPageUrl`` (more pages of this sync) or ``nextSyncUrl``
(caught up). Both carry a ``sync_token``: the engine stores each page's token with the page's
rows, so a pass resumes mid-paging as well as between syncs. ``Entry`` items become canonical
entries (``schema/cms/contentful.json`` through ``cms_sync.mapping``, reading the configured
locale: sync items carry every locale); ``DeletedEntry`` items are deletions by id (the
Delivery API also reports an unpublished entry that way); assets are not in Verdict's model.
A 429 is waited out for ``X-Contentful-RateLimit-Reset`` seconds (``cms_sync.http``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cms_sync.http import HttpLimits, JsonSource, RetryPolicy, Sleep
from cms_sync.mapping import Mapping, load_mapping
from cms_sync.source import RawEntry, SourceError, StreamPage

DEFAULT_BASE_URL = "https://cdn.contentful.com"
"""Contentful's documented Content Delivery API host."""
DEFAULT_ENVIRONMENT = "master"
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000
"""The most items the Sync API sends per page."""


class ContentfulSource(JsonSource):
    """Reads one Contentful environment with a Delivery API token; use as ``async with``."""

    def __init__(
        self,
        space_id: str,
        token: str,
        *,
        environment: str = DEFAULT_ENVIRONMENT,
        base_url: str = DEFAULT_BASE_URL,
        page_size: int = DEFAULT_PAGE_SIZE,
        mapping: Mapping | None = None,
        limits: HttpLimits | None = None,
        policy: RetryPolicy | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be from 1 to {MAX_PAGE_SIZE}")
        self._path = f"/spaces/{space_id}/environments/{environment}/sync"
        self._page_size = page_size
        self._mapping = mapping if mapping is not None else load_mapping("contentful")
        super().__init__(base_url, token, limits=limits, policy=policy, sleep=sleep)
        self.skipped: dict[str, int] = {}
        """Item kinds (and unmapped content types) seen and not synced, counted."""

    @property
    def name(self) -> str:
        return "contentful"

    async def pages(self, token: str | None) -> AsyncIterator[StreamPage]:
        params = (
            {"initial": "true", "limit": str(self._page_size)}
            if token is None
            else {"sync_token": token}
        )
        while True:
            document = await self._client.get(self._path, params, what="sync")
            items, next_token, caught_up = _read_page(document)
            if next_token == token and not caught_up:
                raise SourceError(
                    "sync: the next page's token is the one just read (a paging loop)"
                )
            yield self._page(items, next_token)
            if caught_up:
                return
            token = next_token
            params = {"sync_token": next_token}

    def _page(self, items: list[RawEntry], token: str) -> StreamPage:
        upserts: dict[str, list[RawEntry]] = {}
        deleted: set[str] = set()
        for item in items:
            sys = item.get("sys")
            kind = sys.get("type") if isinstance(sys, dict) else None
            item_id = sys.get("id") if isinstance(sys, dict) else None
            if not isinstance(item_id, str) or not item_id:
                raise SourceError(f"sync: an item without a sys.id ({str(item)[:80]})")
            if kind == "Entry":
                spec = self._mapping.for_type(_content_type(sys))
                if spec is None:
                    self._skip("Entry of an unmapped content type")
                    continue
                entry = self._mapping.canonical(spec.collection, item)
                upserts.setdefault(spec.collection, []).append(entry)
            elif kind == "DeletedEntry":
                deleted.add(item_id)
            else:
                self._skip(str(kind))
        return StreamPage(upserts=upserts, deleted=frozenset(deleted), token=token)

    def _skip(self, kind: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1


def _content_type(sys: Any) -> str:
    """``sys.contentType.sys.id`` of an entry ("" when absent)."""
    link = sys.get("contentType") if isinstance(sys, dict) else None
    link_sys = link.get("sys") if isinstance(link, dict) else None
    type_id = link_sys.get("id") if isinstance(link_sys, dict) else None
    return type_id if isinstance(type_id, str) else ""


def _read_page(document: Any) -> tuple[list[RawEntry], str, bool]:
    """(items, next token, caught up) of a sync answer; SourceError when it is not one."""
    if not isinstance(document, dict) or document.get("sys", {}).get("type") != "Array":
        raise SourceError("sync: the answer is not a sync page (sys.type Array)")
    items = document.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise SourceError("sync: the answer has no 'items' list of objects")
    page_url, sync_url = document.get("nextPageUrl"), document.get("nextSyncUrl")
    url = page_url if isinstance(page_url, str) else sync_url
    if not isinstance(url, str):
        raise SourceError("sync: the answer has neither nextPageUrl nor nextSyncUrl")
    tokens = parse_qs(urlsplit(url).query).get("sync_token")
    if not tokens or not tokens[0]:
        raise SourceError("sync: the next URL carries no sync_token")
    return items, tokens[0], not isinstance(page_url, str)
