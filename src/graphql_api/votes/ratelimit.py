"""Fixed-window rate limits for vote mutations, per voter and per client IP.

With ``REDIS_URL`` the counters live in Redis (one atomic INCR + PEXPIRE script per check), so
every API replica shares them; without it they live in this process.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_KEY_PREFIX = "verdict:ratelimit:"

# Count one hit; start the window's expiry with the first. Returns the count and the window's
# remaining milliseconds.
_HIT_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``count`` hits per ``window_seconds``; a count of 0 means no limit."""

    count: int
    window_seconds: int


class CounterStore(Protocol):
    async def hit(self, key: str, window_ms: int) -> tuple[int, int]:
        """Count one hit on ``key``; return the count so far and the window's remaining ms."""
        ...


class MemoryCounters:
    """Per-process counters, for a single API process."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    async def hit(self, key: str, window_ms: int) -> tuple[int, int]:
        now = time.monotonic()
        if len(self._windows) > 100_000:
            self._windows = {k: v for k, v in self._windows.items() if v[0] > now}
        ends, count = self._windows.get(key, (0.0, 0))
        if ends <= now:
            ends, count = now + window_ms / 1000, 0
        self._windows[key] = (ends, count + 1)
        return count + 1, max(1, int((ends - now) * 1000))


class RedisCounters:
    """Counters shared by every replica through Redis."""

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_HIT_SCRIPT)

    async def hit(self, key: str, window_ms: int) -> tuple[int, int]:
        count, ttl = await self._script(keys=[_KEY_PREFIX + key], args=[window_ms])
        return int(count), int(ttl)


class RateLimiter:
    """Checks a vote against the per-voter and the per-IP limit."""

    def __init__(self, store: CounterStore, per_voter: Limit, per_ip: Limit) -> None:
        self.store = store
        self.per_voter = per_voter
        self.per_ip = per_ip

    async def check(self, voter_id: str, client_ip: str) -> int | None:
        """None when the vote may go ahead, else the seconds until the caller may retry."""
        retry_after: int | None = None
        for limit, key in ((self.per_voter, f"voter:{voter_id}"), (self.per_ip, f"ip:{client_ip}")):
            if limit.count <= 0:
                continue
            try:
                count, remaining_ms = await self.store.hit(key, limit.window_seconds * 1000)
            except RedisError:
                # Fail open: an unreachable Redis must not stop people voting.
                logger.warning("rate limit check skipped: Redis unavailable", exc_info=True)
                continue
            if count > limit.count:
                wait = max(1, math.ceil(remaining_ms / 1000))
                retry_after = max(retry_after or 0, wait)
        return retry_after
