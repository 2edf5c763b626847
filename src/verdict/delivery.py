"""The deliverer of the outboxes (purges and revalidation notices), run by the sync worker.

It drains when woken (after each sync pass) and every ``poll`` seconds (retries come due, and
rows a crashed worker left behind are found at start).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from verdict.hooks.deliver import HookSender
from verdict.purge.adapters import Purger, purger_for
from verdict.purge.outbox import discard_purges, drain_purges
from verdict.purge.settings import PurgeSettings

logger = logging.getLogger("verdict.delivery")


class Deliverer:
    def __init__(
        self,
        purger: Purger | None,
        hooks: HookSender,
        *,
        poll: float = 1.0,
        repeat_after: float = 2.0,
    ) -> None:
        self.purger = purger
        self._repeat_after = repeat_after
        self.hooks = hooks
        self._poll = poll
        self._wake = asyncio.Event()

    @classmethod
    def from_settings(cls, settings: PurgeSettings) -> Deliverer:
        return cls(purger_for(settings), HookSender(), repeat_after=settings.repeat_after)

    def wake(self) -> None:
        """A change committed: deliver now."""
        self._wake.set()

    async def drain(self) -> None:
        """Deliver everything due once (purges first: caches before rebuilds)."""
        if self.purger is not None:
            await drain_purges(self.purger, repeat_after=self._repeat_after)
        else:
            await discard_purges()  # no shared cache to tell
        await self.hooks.drain()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.drain()
            except Exception:
                # A database hiccup must not end the worker: the rows stay, the next round retries.
                logger.exception("outbox delivery failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)

    async def close(self) -> None:
        if self.purger is not None:
            await self.purger.close()
        await self.hooks.close()
