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
    def __init__(self, purger: Purger, debounce: float, repeat_after: float = 2.0) -> None:
        self._purger = purger
        self._debounce = debounce
        self._repeat_after = repeat_after
        self._pending: dict[str, asyncio.Task[None]] = {}
        """Comparisons whose first purge is still to come."""
        self._tasks: set[asyncio.Task[None]] = set()

    async def changed(self, slug: str) -> None:
        """A vote on ``slug`` committed (a VoteService change listener)."""
        if slug not in self._pending:
            task = asyncio.create_task(self._purge_soon(slug))
            self._pending[slug] = task
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _purge_soon(self, slug: str) -> None:
        await asyncio.sleep(self._debounce)
        # Votes from here on need a purge of their own: the one below may reach the cache first.
        self._pending.pop(slug, None)
        await self._send(slug)
        # Again a little later: a shared cache may store an answer it fetched before the last
        # vote committed after the purge reached it (verdict.purge.outbox does the same).
        await asyncio.sleep(self._repeat_after)
        if slug not in self._pending:  # else the purge to come does it
            await self._send(slug)

    async def _send(self, slug: str) -> None:
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
        """Send the purges still to come now, then close."""
        slugs, tasks = list(self._pending), list(self._tasks)
        self._pending.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for slug in slugs:
            try:
                await self._purger.purge(keys.for_vote(slug))
            except PurgeError as exc:
                logger.error("tally purge of %s failed at shutdown: %s", slug, exc)
        await self._purger.close()
