"""The boundary between the sync engine and a CMS: a small source interface.

An adapter (Directus over HTTP, the bundled content export on disk, ...) yields raw entries in the
CMS's own shape. The engine never sees HTTP, files or a CMS's query language.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

RawEntry = dict[str, Any]


class SourceError(Exception):
    """A source failed in a way the engine cannot retry past; names the collection and cause."""


class Source(Protocol):
    """What the sync engine needs from a CMS."""

    @property
    def name(self) -> str:
        """A stable name for checkpoints, e.g. ``directus`` or ``export``."""
        ...

    def changed(
        self, collection: str, since: datetime | None, until: datetime
    ) -> AsyncIterator[list[RawEntry]]:
        """Entries with ``since < date_updated <= until`` (all when ``since`` is None).

        Pages come in ascending (date_updated, id) order, so a checkpoint after each page is safe.
        """
        ...

    async def all_ids(self, collection: str) -> set[str]:
        """Every id in the collection, whatever its status, for full reconciliation; ids are the
        CMS's own as text (Directus's integers in decimal), as ``ParsedEntry.id`` holds them."""
        ...

    async def deleted_since(self, collection: str, since: datetime) -> set[str]:
        """Ids deleted since ``since``, from the CMS's activity log or an equivalent."""
        ...


@dataclass(frozen=True, slots=True)
class StreamPage:
    """One page of a change stream over every collection (Contentful's Sync API, say).

    The engine applies a page's deletions and upserts and stores ``token`` in one transaction;
    the next pass resumes from the last stored token, so a page is never half-applied or lost.
    """

    upserts: dict[str, list[RawEntry]]
    """Collection -> entries, in Verdict's canonical shape (``schema/content-model.json``)."""
    deleted: frozenset[str]
    """Ids of entries deleted in the CMS; the stream does not say of which collection."""
    token: str
    """Resumes the stream after this page (a page token while paging, then a sync token)."""


@runtime_checkable
class StreamSource(Protocol):
    """A CMS that offers one ordered change stream over all content, resumed by a token.

    The engine uses it instead of per-collection time windows when a source has ``pages``.
    """

    @property
    def name(self) -> str: ...

    def pages(self, token: str | None) -> AsyncIterator[StreamPage]:
        """The stream from ``token`` (None: everything the CMS holds) to the current end."""
        ...


@runtime_checkable
class DeletionHints(Protocol):
    """A source whose CMS has no deletion log to read: webhooks tell it what was deleted.

    ``note_deleted`` only records the hint; ``deleted_since`` confirms each id is gone from the
    CMS before reporting it, so a forged or stale hint deletes nothing that still exists."""

    def note_deleted(self, collection: str, ids: frozenset[str]) -> None: ...


@runtime_checkable
class ChangeHints(Protocol):
    """A source whose CMS's listing cannot show every change (Strapi: an unpublish): webhooks
    name the ids, and the next pass re-reads them from the CMS."""

    def note_changed(self, collection: str, ids: frozenset[str]) -> None: ...
