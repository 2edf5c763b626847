"""Signatures of webhooks already accepted, so a captured request cannot be replayed.

A signed webhook is fresh for ``REPLAY_WINDOW`` seconds; within that window each signature is
accepted once. With several workers (Redis set), the record is shared: ``SET NX`` with the
window as its expiry, so Redis forgets it when it could no longer verify anyway.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol

from redis.asyncio import Redis

MAX_REMEMBERED = 100_000
"""Signatures kept in memory at most (64 hex digits each: a few MB at worst)."""


class Replays(Protocol):
    async def first_use(self, signature: str, ttl: float) -> bool:
        """Record ``signature`` for ``ttl`` seconds; False when it was already recorded."""
        ...


class MemoryReplays:
    def __init__(self, max_entries: int = MAX_REMEMBERED) -> None:
        self._max = max_entries
        self._seen: OrderedDict[str, float] = OrderedDict()  # signature -> expiry, oldest first

    async def first_use(self, signature: str, ttl: float) -> bool:
        now = time.monotonic()
        while self._seen:
            oldest, expiry = next(iter(self._seen.items()))
            if expiry > now and len(self._seen) < self._max:
                break
            del self._seen[oldest]
        known = self._seen.get(signature)
        if known is not None and known > now:
            return False
        self._seen[signature] = now + ttl
        return True


class RedisReplays:
    def __init__(self, redis: Redis, prefix: str = "verdict:webhook:seen:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def first_use(self, signature: str, ttl: float) -> bool:
        stored = await self._redis.set(
            self._prefix + signature, b"1", nx=True, px=max(1, int(ttl * 1000))
        )
        return bool(stored)
