"""A webhook receiver on loopback for the real-Directus tests: what Directus's flow delivered."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

WEBHOOK_SECRET = "test-webhook-secret"


@dataclass
class Delivery:
    received_at: float  # time.monotonic()
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class WebhookReceiver:
    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def find(self, event: str, key: int) -> Delivery | None:
        """The first delivery of ``event`` naming item ``key`` (in "key" or "keys")."""
        for delivery in self.deliveries:
            body = delivery.body
            keys = [str(k) for k in body.get("keys", [])] + [str(body.get("key"))]
            if body.get("event") == event and str(key) in keys:
                return delivery
        return None

    async def wait_for(self, event: str, key: int, within: float = 15.0) -> Delivery:
        try:
            async with asyncio.timeout(within):
                while (delivery := self.find(event, key)) is None:
                    self.arrived.clear()
                    await self.arrived.wait()
        except TimeoutError:
            raise AssertionError(f"no {event} webhook for {key} within {within}s") from None
        return delivery
