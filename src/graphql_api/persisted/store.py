"""Where automatic persisted queries live: an in-process LRU, or Redis shared by all replicas."""

from __future__ import annotations

import logging
import time
from typing import Protocol, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from graphql_api.caching.budget import ByteLRU

logger = logging.getLogger(__name__)

REDIS_PREFIX = "verdict:apq:"
REDIS_TTL_SECONDS = 7 * 24 * 3600
"""A registration lives a week after its last use (a client re-registers on NotFound)."""


class DocumentStore(Protocol):
    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, document: str) -> None: ...


class MemoryDocuments:
    """The most recently used documents of this process: at most ``size`` of them, and at most
    ``max_bytes`` of text."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self._documents: ByteLRU[str, str] = ByteLRU(max_bytes, max_entries=size)

    @property
    def bytes(self) -> int:
        return self._documents.bytes

    async def get(self, sha256: str) -> str | None:
        return self._documents.get(sha256)

    async def put(self, sha256: str, document: str) -> None:
        self._documents.put(sha256, document, len(sha256) + len(document.encode()))


class RedisDocuments:
    """Documents in Redis (a week after last use, at most ``max_bytes`` in all, oldest
    registrations dropped first), with a local LRU in front.

    Documents never change under a hash, so the local copy is always right. Redis errors degrade
    to the local copy: a client that gets PersistedQueryNotFound simply sends the query again.
    The total is kept beside the documents (a sorted set of hashes by registration time, their
    sizes, and the sum); replicas update it without a lock, so it may drift by the documents
    registered in the same instant, never without bound.
    """

    def __init__(
        self,
        redis: Redis,
        size: int,
        *,
        local_bytes: int,
        max_bytes: int,
        prefix: str = REDIS_PREFIX,
    ) -> None:
        self._redis = redis
        self._local = MemoryDocuments(size, local_bytes)
        self._max_bytes = max_bytes
        self._prefix = prefix
        self._index = prefix + "index"
        self._sizes = prefix + "sizes"
        self._total = prefix + "bytes"

    async def get(self, sha256: str) -> str | None:
        document = await self._local.get(sha256)
        if document is not None:
            return document
        try:
            raw = await self._redis.getex(self._prefix + sha256, ex=REDIS_TTL_SECONDS)
        except RedisError:
            logger.warning("persisted queries: Redis unavailable", exc_info=True)
            return None
        if raw is None:
            return None
        document = raw.decode() if isinstance(raw, bytes) else str(raw)
        await self._local.put(sha256, document)
        return document

    async def put(self, sha256: str, document: str) -> None:
        await self._local.put(sha256, document)
        encoded = document.encode()
        if len(encoded) > self._max_bytes:
            return
        try:
            added = await self._redis.set(
                self._prefix + sha256, encoded, ex=REDIS_TTL_SECONDS, nx=True
            )
            if not added:
                return
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.zadd(self._index, {sha256: time.time()})
                pipe.hset(self._sizes, sha256, len(encoded))
                pipe.incrby(self._total, len(encoded))
                await pipe.execute()
            await self._trim()
        except RedisError:
            logger.warning("persisted queries: Redis unavailable", exc_info=True)

    @property
    def total_key(self) -> str:
        return self._total

    async def _trim(self) -> None:
        expired = await self._redis.zrangebyscore(
            self._index, "-inf", time.time() - REDIS_TTL_SECONDS
        )
        if expired:
            await self._drop([m.decode() if isinstance(m, bytes) else str(m) for m in expired])
        while int(await self._redis.get(self._total) or 0) > self._max_bytes:
            oldest = cast("list[tuple[bytes, float]]", await self._redis.zpopmin(self._index, 1))
            if not oldest:
                await self._redis.set(self._total, 0)  # nothing left to count: the sum drifted
                return
            await self._drop([member.decode() for member, _ in oldest])

    async def _drop(self, hashes: list[str]) -> None:
        sizes = await self._redis.hmget(self._sizes, hashes)
        freed = sum(int(size) for size in sizes if size is not None)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(*(self._prefix + h for h in hashes))
            pipe.hdel(self._sizes, *hashes)
            pipe.zrem(self._index, *hashes)
            pipe.decrby(self._total, freed)
            await pipe.execute()
