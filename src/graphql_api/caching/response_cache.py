"""Response cache for content-only queries, invalidated by content versions.

Only queries that read no vote data (tallies, the voter's own vote, the MOST_VOTED order), no
sync status and no drafts are cached; the rest always run. An entry holds the response data and
the version of every content key it read (see verdict.content_versions). A hit is served only
when all those versions are still current: the sync bumps them in the same transaction as the
content, so a cached response is never served after the content it shows changed.

Storing is guarded against a sync committing while the query ran: the global version ``*`` is
read before execution and again with the dependencies; if it moved, nothing is stored.
Entries live in an in-process LRU, or in Redis (with a TTL) when REDIS_URL is set.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.exceptions import RedisError

from graphql_api.caching.budget import ByteLRU
from graphql_api.reads import read_versions
from verdict import content_versions

logger = logging.getLogger(__name__)

REDIS_PREFIX = "verdict:response:"


@dataclass(frozen=True, slots=True)
class Entry:
    data: Any
    versions: dict[str, str]

    def encode(self) -> bytes:
        return orjson.dumps({"data": self.data, "versions": self.versions})

    @classmethod
    def decode(cls, raw: bytes) -> Entry:
        value = orjson.loads(raw)
        return cls(data=value["data"], versions=dict(value["versions"]))


class EntryStore(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes) -> None: ...


class MemoryEntries:
    """At most ``size`` answers and ``max_bytes`` of them, each for ``ttl`` seconds."""

    def __init__(self, size: int, ttl: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._ttl = ttl
        self._entries: ByteLRU[str, tuple[float, bytes]] = ByteLRU(max_bytes, max_entries=size)

    @property
    def held_bytes(self) -> int:
        """What the kept entries weigh, as counted against the budget."""
        return self._entries.bytes

    async def get(self, key: str) -> bytes | None:
        found = self._entries.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    async def put(self, key: str, value: bytes) -> None:
        self._entries.put(key, (time.monotonic() + self._ttl, value), len(key) + len(value))


class RedisEntries:
    """Shared by every replica; Redis errors make the cache miss, never fail the request."""

    def __init__(self, redis: Redis, ttl: int) -> None:
        self._redis, self._ttl = redis, ttl

    async def get(self, key: str) -> bytes | None:
        try:
            raw = await self._redis.get(REDIS_PREFIX + key)
        except RedisError:
            logger.warning("response cache: Redis unavailable", exc_info=True)
            return None
        return raw if isinstance(raw, bytes) else None

    async def put(self, key: str, value: bytes) -> None:
        try:
            await self._redis.set(REDIS_PREFIX + key, value, ex=self._ttl)
        except RedisError:
            logger.warning("response cache: Redis unavailable", exc_info=True)


def cache_key(query: str, operation_name: str | None, variables: dict[str, Any] | None) -> str:
    material = orjson.dumps([query, operation_name, variables or {}], option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(material).hexdigest()


class ResponseCache:
    def __init__(self, store: EntryStore) -> None:
        self._store = store
        self.hits = 0
        self.misses = 0

    async def lookup(self, key: str) -> Any | None:
        """The cached data for ``key`` if every content version it read is still current."""
        entry = await self.lookup_entry(key)
        return None if entry is None else entry.data

    async def lookup_entry(self, key: str) -> Entry | None:
        """``lookup``, with the content version keys the data was read under."""
        raw = await self._store.get(key)
        if raw is not None:
            entry = Entry.decode(raw)
            current = await read_versions(entry.versions)
            if current == entry.versions:
                self.hits += 1
                return entry
        self.misses += 1
        return None

    async def snapshot(self) -> str:
        """The global version before running a query (see ``store``)."""
        return (await read_versions([content_versions.ANY_CHANGE]))[content_versions.ANY_CHANGE]

    async def store(self, key: str, data: Any, deps: set[str], before: str) -> bool:
        """Keep ``data`` unless a content change committed since ``before`` was read."""
        versions = await read_versions({*deps, content_versions.ANY_CHANGE})
        if versions.pop(content_versions.ANY_CHANGE) != before:
            return False
        await self._store.put(key, Entry(data, versions).encode())
        return True
