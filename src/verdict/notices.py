"""What a sync transaction tells the world outside the process: the shared caches' surrogate
keys to purge and the revalidation hooks' notices, written to the outboxes in the same
transaction as the rows (``verdict.models.outbox``) and delivered after the commit.

The sync takes a ``snapshot`` of the rows a change touches before changing them (a deleted or
renamed row's old slug is only known then), and ``record``s the change after.
"""

from __future__ import annotations

from collections.abc import Iterable

from verdict.hooks.changes import EntityState, enqueue_notices, read_states
from verdict.purge import keys as surrogate
from verdict.purge.outbox import enqueue_purge

Snapshot = dict[tuple[str, str], EntityState]


async def snapshot(version_keys: Iterable[str]) -> Snapshot:
    """The rows behind ``version_keys`` as stored now (call before changing them)."""
    return await read_states(version_keys)


async def record(version_keys: Iterable[str], before: Snapshot) -> None:
    """Queue the purge and the hook notices of a change; call inside its transaction."""
    keys = set(version_keys)
    await enqueue_purge(surrogate.for_content(keys))
    await enqueue_notices(keys, before)
