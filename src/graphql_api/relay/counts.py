"""``totalCount`` without a COUNT over the whole list on every request.

A list's count is cached per app (``Services.counts``, handed to every request's context),
keyed by what selects the list (statuses, filter) and stored with the content versions (see
verdict.content_versions) of the collections the list reads. The sync bumps a collection's
version in the same transaction as any change to it, so a count stored with the versions
current when it was counted is exact for as long as those versions are current:

- a hit costs one indexed read of the versions, and is served only when they are unchanged;
- a miss counts and reads the versions in one statement (one snapshot, so the pair is
  consistent, even against a sync committing meanwhile), and stores both.

A list that has no entry yet (the first request for a filter) therefore costs one statement, as
the plain COUNT did; only a list whose entry a change made stale costs two, once. The cache is
bounded (least recently used entries go first), as filters are client input. Whatever writes
content outside the sync must bump its collection the same way, or counts keep the old figure.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from graphql_api.reads import read_versions
from verdict import content_versions
from verdict.models.versions import ContentVersion

DEFAULT_MAX_ENTRIES = 512


@dataclass(frozen=True, slots=True)
class _Entry:
    versions: tuple[str, ...]
    total: int


class CountCache:
    """Counts of lists, each exact for the content versions stored with it."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries}")
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def count(self, key: Hashable, query: QuerySet[Any], depends_on: Sequence[str]) -> int:
        """How many rows ``query`` selects; ``key`` must identify ``query`` (the same key, the
        same rows), and ``depends_on`` name every collection key whose changes can change it."""
        entry = self._entries.get(key)
        if entry is not None:
            current = await read_versions(depends_on)
            if tuple(current[k] for k in depends_on) == entry.versions:
                self._entries.move_to_end(key)
                return entry.total
        return await self._recount(key, query, depends_on)

    async def count_at(
        self,
        key: Hashable,
        query: Callable[[], QuerySet[Any]],
        depends_on: Sequence[str],
        versions: tuple[str, ...] | None,
    ) -> int:
        """``count``, given the current ``versions`` of ``depends_on`` (read by the caller in
        the statement that read the listed rows; None when it read none): no statement at all
        while they match the entry's. ``query`` builds the query, only when it must run."""
        if versions is None:
            return await self.count(key, query(), depends_on)
        entry = self._entries.get(key)
        if entry is not None and entry.versions == versions:
            self._entries.move_to_end(key)
            return entry.total
        return await self._recount(key, query(), depends_on)

    async def _recount(self, key: Hashable, query: QuerySet[Any], depends_on: Sequence[str]) -> int:
        entry = await _count_with_versions(query, depends_on)
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return entry.total


async def _count_with_versions(query: QuerySet[Any], depends_on: Sequence[str]) -> _Entry:
    """``SELECT COUNT(pk), (SELECT version ... WHERE key = $1), ... FROM ... WHERE ...``."""
    columns = {
        f"version_{index}": Subquery(ContentVersion.filter(key=key).values("version"))
        for index, key in enumerate(depends_on)
    }
    total = Count("id")  # every content model's primary key
    rows: list[dict[str, Any]] = await query.annotate(total=total, **columns).values(
        "total", *columns
    )
    (row,) = rows
    versions = tuple(content_versions.MISSING if row[c] is None else str(row[c]) for c in columns)
    return _Entry(versions=versions, total=int(row["total"]))
