"""Purging a comparison's tallies from the shared caches after votes, debounced per comparison.

A burst of votes on one comparison is one purge, sent ``debounce`` seconds after the first:
the cached answers showing its tallies are at most that stale. Votes on other comparisons
purge on their own clocks. Only the replica that took a vote purges it.
"""

from __future__ import annotations

import asyncio
import logging

from verdict.purge import keys
from verdict.purge.adapters import PurgeError, Purger
from verdict.purge.outbox import backoff

logger = logging.getLogger("graphql_api.votes.purges")

ATTEMPTS = 4


class VotePurges:
    def __init__(self, purger: Purger, debounce: float) -> None:
        self._purger = purger
        self._debounce = debounce
        self._pending: dict[str, asyncio.Task[None]] = {}

    async def changed(self, slug: str) -> None:
        """A vote on ``slug`` committed (a VoteService change listener)."""
        if slug not in self._pending:
            self._pending[slug] = asyncio.create_task(self._purge_soon(slug))

    async def _purge_soon(self, slug: str) -> None:
        await asyncio.sleep(self._debounce)
        # Votes from here on need a purge of their own: the one below may reach the cache first.
        self._pending.pop(slug, None)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await self._purger.purge(keys.for_vote(slug))
                return
            except PurgeError as exc:
                if attempt == ATTEMPTS:
                    logger.error("tally purge of %s failed, giving up: %s", slug, exc)
                    return
                await asyncio.sleep(backoff(attempt, base=0.2, cap=5.0))

    async def stop(self) -> None:
        """Send what is pending now, then close."""
        slugs, pending = list(self._pending), list(self._pending.values())
        self._pending.clear()
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for slug in slugs:
            try:
                await self._purger.purge(keys.for_vote(slug))
            except PurgeError as exc:
                logger.error("tally purge of %s failed at shutdown: %s", slug, exc)
        await self._purger.close()
