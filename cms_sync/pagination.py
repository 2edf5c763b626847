"""Keyset pagination with loop detection.

A CMS without cursors is read in pages sorted by (updated-at, id); the next page asks for entries
strictly after the last key seen. A page that does not move that key forward (a CMS ignoring the
filter, a proxy caching one answer) would repeat forever, so it stops the read with an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cms_sync.entries import parse_timestamp
from cms_sync.source import RawEntry, SourceError

Key = tuple[datetime, int]


@dataclass(slots=True)
class Keyset:
    """The (updated-at, id) of the last entry read from one collection."""

    collection: str
    last: Key | None = None
    pages: int = 0

    def advance(self, page: list[RawEntry]) -> None:
        """Check that ``page`` lies strictly after the last key, in order, then move past it."""
        self.pages += 1
        previous = self.last
        for entry in page:
            key = entry_key(self.collection, entry)
            if previous is not None and key <= previous:
                raise SourceError(
                    f"{self.collection}: pagination loop detected on page {self.pages}: entry "
                    f"{key[1]} (updated {key[0].isoformat()}) is not after the previous key; "
                    "the CMS is not honouring the page filter"
                )
            previous = key
        self.last = previous


@dataclass(slots=True)
class IdKeyset:
    """The last id read, for id-only listings (full reconciliation, activity log)."""

    collection: str
    last: int = 0
    pages: int = 0

    def advance(self, ids: list[int]) -> None:
        self.pages += 1
        for value in ids:
            if value <= self.last:
                raise SourceError(
                    f"{self.collection}: pagination loop detected on page {self.pages}: id "
                    f"{value} is not after {self.last}"
                )
            self.last = value


def entry_key(collection: str, entry: RawEntry) -> Key:
    """(date_updated, id) of a raw entry; a CMS answer without them cannot be paged."""
    raw_time = entry.get("date_updated")
    entry_id = entry.get("id")
    if not isinstance(raw_time, str) or not isinstance(entry_id, int):
        raise SourceError(
            f"{collection}: entry {entry_id!r} has no date_updated/id to page by; "
            "the content model must set date_updated on create and on update"
        )
    try:
        return parse_timestamp(raw_time), entry_id
    except ValueError:
        raise SourceError(
            f"{collection}: entry {entry_id} has an unreadable date_updated {raw_time!r}"
        ) from None
