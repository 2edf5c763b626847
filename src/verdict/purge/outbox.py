"""The purge outbox: surrogate keys queued with a change, sent after its commit."""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from verdict.models.outbox import PurgeRequest
from verdict.purge.adapters import PurgeError, Purger

logger = logging.getLogger("verdict.purge")

LEASE = timedelta(seconds=60)
"""A claimed request is not sent by another deliverer for this long (then it is retried)."""
MAX_BACKOFF = 300.0


async def enqueue_purge(keys: Sequence[str]) -> None:
    """Queue ``keys``; call inside the change's transaction."""
    if keys:
        await PurgeRequest.create(keys=list(keys), due_at=datetime.now(UTC))


def backoff(attempts: int, *, base: float = 1.0, cap: float = MAX_BACKOFF) -> float:
    """Capped exponential backoff with full jitter."""
    return random.uniform(0, min(cap, base * 2 ** max(attempts - 1, 0)))


async def drain_purges(purger: Purger, *, repeat_after: float = 2.0, batch: int = 200) -> int:
    """Send every due request (their keys merged into one purge); the number of requests sent.

    Each request is purged twice, the second time ``repeat_after`` seconds after the first: a
    shared cache may have fetched an answer just before the change committed and store it just
    after the first purge reached it; the second purge drops that one too.

    A request is claimed before it is sent, so two deliverers never send the same one twice
    within the lease; a purge sent twice is harmless anyway.
    """
    now = datetime.now(UTC)
    due = await PurgeRequest.filter(due_at__lte=now).order_by("id").limit(batch)
    claimed: list[PurgeRequest] = []
    for request in due:
        if await PurgeRequest.filter(id=request.id, due_at=request.due_at).update(
            due_at=now + LEASE
        ):
            claimed.append(request)
    if not claimed:
        return 0
    keys = sorted({k for r in claimed for k in r.keys})
    try:
        await purger.purge(keys)
    except PurgeError as exc:
        for request in claimed:
            attempts = request.attempts + 1
            delay = backoff(attempts)
            await PurgeRequest.filter(id=request.id).update(
                attempts=attempts,
                due_at=datetime.now(UTC) + timedelta(seconds=delay),
                last_error=str(exc),
            )
        logger.warning("purge of %d keys failed (%s); retrying", len(keys), exc)
        return 0
    done = [r.id for r in claimed if r.sent >= 1]
    again = [r.id for r in claimed if r.sent < 1]
    if done:
        await PurgeRequest.filter(id__in=done).delete()
    if again:
        await PurgeRequest.filter(id__in=again).update(
            sent=1, attempts=0, last_error=None, due_at=now + timedelta(seconds=repeat_after)
        )
    logger.info("purged %d keys (%d changes)", len(keys), len(claimed))
    return len(claimed)


async def discard_purges() -> None:
    """Drop every queued purge (purging is off)."""
    await PurgeRequest.all().delete()
