"""Where automatic persisted queries live: an in-process LRU, or Redis shared by all replicas."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

REDIS_PREFIX = "verdict:apq:"
REDIS_TTL_SECONDS = 30 * 24 * 3600


class DocumentStore(Protocol):
    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, document: str) -> None: ...


class MemoryDocuments:
    """The most recently used ``size`` documents of this process."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._documents: OrderedDict[str, str] = OrderedDict()

    async def get(self, sha256: str) -> str | None:
        document = self._documents.get(sha256)
        if document is not None:
            self._documents.move_to_end(sha256)
        return document

    async def put(self, sha256: str, document: str) -> None:
        self._documents[sha256] = document
        self._documents.move_to_end(sha256)
        while len(self._documents) > self._size:
            self._documents.popitem(last=False)


class RedisDocuments:
    """Documents in Redis (30 days after last registration), with a local LRU in front.

    Documents never change under a hash, so the local copy is always right. Redis errors degrade
    to the local copy: a client that gets PersistedQueryNotFound simply sends the query again.
    """

    def __init__(self, redis: Redis, size: int) -> None:
        self._redis = redis
        self._local = MemoryDocuments(size)

    async def get(self, sha256: str) -> str | None:
        document = await self._local.get(sha256)
        if document is not None:
            return document
        try:
            raw = await self._redis.get(REDIS_PREFIX + sha256)
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
        try:
            await self._redis.set(REDIS_PREFIX + sha256, document, ex=REDIS_TTL_SECONDS)
        except RedisError:
            logger.warning("persisted queries: Redis unavailable", exc_info=True)
