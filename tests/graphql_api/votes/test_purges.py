"""Tally purges after votes: one per burst on a comparison, each comparison on its own clock,
each repeated once, and what is still to come sent at shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from graphql_api.votes.purges import VotePurges
from verdict.purge.adapters import PurgeError


class Recording:
    """A purger that records what it is asked to purge; fails the first ``failures`` times."""

    def __init__(self, failures: int = 0) -> None:
        self.purged: list[list[str]] = []
        self.failures = failures
        self.closed = False

    async def purge(self, keys: Sequence[str]) -> None:
        if self.failures:
            self.failures -= 1
            raise PurgeError("stand-in failure")
        self.purged.append(list(keys))

    async def close(self) -> None:
        self.closed = True


async def test_a_burst_is_one_purge_then_its_repeat() -> None:
    purger = Recording()
    purges = VotePurges(purger, debounce=0.05, repeat_after=0.05)
    for _ in range(5):
        await purges.changed("a")
    await purges.changed("b")
    for _ in range(250):
        if len(purger.purged) == 4:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)  # room for a (wrong) fifth purge to show
    await purges.stop()
    assert sorted(map(tuple, purger.purged)) == sorted(
        [("tally:a", "tallies")] * 2 + [("tally:b", "tallies")] * 2
    )


async def test_a_failed_purge_is_retried() -> None:
    purger = Recording(failures=1)
    purges = VotePurges(purger, debounce=0.01, repeat_after=10)
    await purges.changed("a")
    for _ in range(100):
        if purger.purged:
            break
        await asyncio.sleep(0.02)
    await purges.stop()
    assert purger.purged == [["tally:a", "tallies"]]


async def test_stop_sends_what_is_still_to_come() -> None:
    purger = Recording()
    purges = VotePurges(purger, debounce=60, repeat_after=60)
    await purges.changed("a")
    await purges.stop()
    assert purger.purged == [["tally:a", "tallies"]]
    assert purger.closed
