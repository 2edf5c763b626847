"""Delivering queued revalidation notices: POST, signed, retried with backoff, logged.

Each delivery is claimed (its ``due_at`` moved past a lease) before it is sent, so two
deliverers never send it at once; it is marked delivered after a 2xx. A deliverer that dies
between the send and the mark leaves it to be sent again after the lease, with the same
``Idempotency-Key``: receivers drop what they already applied.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import aiohttp
import orjson

from verdict.hooks.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from verdict.models.outbox import HookDelivery, RevalidationHook
from verdict.purge.outbox import backoff

logger = logging.getLogger("verdict.hooks")

LEASE = timedelta(seconds=60)
KEEP_DELIVERED = timedelta(days=7)
"""Delivered notices stay this long (for ``verdict hooks list`` and the curious), then go."""
MAX_ATTEMPTS = 10
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
_RETRYABLE = frozenset({408, 425, 429})


class HookSender:
    """Sends due notices over one HTTP session."""

    def __init__(
        self, *, timeout: float = 10.0, base_delay: float = 1.0, max_attempts: int = MAX_ATTEMPTS
    ) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._base_delay = base_delay
        self._max_attempts = max_attempts
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def drain(self, *, batch: int = 100) -> int:
        """Send every due notice once; the number delivered."""
        now = datetime.now(UTC)
        due = (
            await HookDelivery.filter(state=PENDING, due_at__lte=now)
            .order_by("id")
            .limit(batch)
            .prefetch_related("hook")
        )
        delivered = 0
        for delivery in due:
            claimed = await HookDelivery.filter(
                id=delivery.id, state=PENDING, due_at=delivery.due_at
            ).update(due_at=now + LEASE)
            if claimed and await self._send(delivery, delivery.hook):
                delivered += 1
        if delivered:
            await HookDelivery.filter(
                state=DELIVERED, delivered_at__lt=now - KEEP_DELIVERED
            ).delete()
        return delivered

    async def _send(self, delivery: HookDelivery, hook: RevalidationHook) -> bool:
        body = orjson.dumps(delivery.payload)
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: delivery.idempotency_key,
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: sign(hook.secret, stamp, body),
            "User-Agent": "verdict-revalidation/1",
        }
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        status: int | None = None
        retry_after: float | None = None
        try:
            async with self._session.post(hook.url, data=body, headers=headers) as response:
                await response.read()
                status = response.status
                retry_after = _seconds(response.headers.get("Retry-After"))
            error = None if 200 <= status < 300 else f"HTTP {status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = type(exc).__name__
        attempts = delivery.attempts + 1
        if error is None:
            await HookDelivery.filter(id=delivery.id).update(
                state=DELIVERED,
                attempts=attempts,
                last_status=status,
                delivered_at=datetime.now(UTC),
                last_error=None,
            )
            logger.info("hook %s: delivered %s", hook.name, delivery.idempotency_key)
            return True
        fatal = status is not None and 400 <= status < 500 and status not in _RETRYABLE
        if fatal or attempts >= self._max_attempts:
            await HookDelivery.filter(id=delivery.id).update(
                state=FAILED, attempts=attempts, last_status=status, last_error=error
            )
            logger.error(
                "hook %s: gave up on %s after %d attempts (%s)",
                hook.name,
                delivery.idempotency_key,
                attempts,
                error,
            )
            return False
        delay = max(backoff(attempts, base=self._base_delay), retry_after or 0.0)
        await HookDelivery.filter(id=delivery.id).update(
            attempts=attempts,
            last_status=status,
            last_error=error,
            due_at=datetime.now(UTC) + timedelta(seconds=delay),
        )
        logger.warning(
            "hook %s: %s failed (%s); retry in %.1f s",
            hook.name,
            delivery.idempotency_key,
            error,
            delay,
        )
        return False


def _seconds(raw: str | None) -> float | None:
    if raw is None or not raw.strip().isdigit():
        return None
    return min(float(raw.strip()), 3600.0)
