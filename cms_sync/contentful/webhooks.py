"""Contentful's webhooks at ``POST /webhooks/contentful``: signed requests turned into hints.

Contentful signs each webhook call with the space's webhook signing secret (``signing``;
``CMS_WEBHOOK_SECRET`` here): the request must be signed, fresh (``x-contentful-timestamp``
within the time to live) and used once (its signature is the replay key).
``X-Contentful-Topic`` is ``ContentManagement.<Type>.<action>``; the body's
``sys.contentType.sys.id`` names the entry's content type, hence the collection hint (``*`` when
it cannot be told). Deletions need no hint: the Sync API reports them (``DeletedEntry``).
The data itself always comes from the Sync API.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from cms_sync.contentful.signing import (
    DEFAULT_TTL_SECONDS,
    SIGNATURE,
    RequestVerifier,
    SignatureRejected,
)
from cms_sync.mapping import Mapping
from cms_sync.webhooks import WebhookHint, WebhookRejected, WebhookRequest, json_object

WEBHOOK_PATH = "/webhooks/contentful"
TOPIC = "x-contentful-topic"
ANY_COLLECTION = "*"
"""The hint when a changed entry's content type cannot be told (the whole stream is read)."""


def _now_ms() -> float:
    return time.time() * 1000


@dataclass(frozen=True, slots=True)
class ContentfulReceiver:
    """Verifies Contentful's signed webhook calls (``cms_sync.webhooks.WebhookReceiver``)."""

    secret: str
    mapping: Mapping
    ttl_seconds: float = DEFAULT_TTL_SECONDS
    clock_ms: Callable[[], float] = _now_ms

    def receive(self, request: WebhookRequest) -> WebhookHint:
        verifier = RequestVerifier(self.secret, self.ttl_seconds)
        try:
            verifier.verify(
                request.method, request.path, request.headers, request.body, now_ms=self.clock_ms()
            )
        except SignatureRejected as exc:
            raise WebhookRejected(exc.status, exc.reason) from None
        parts = request.headers.get(TOPIC, "").split(".")
        if len(parts) != 3 or not parts[0].startswith("Content") or not all(parts):
            raise WebhookRejected(400, f"{TOPIC} is not ContentManagement.<Type>.<action>")
        if parts[1] != "Entry":
            return WebhookHint(ANY_COLLECTION)
        return WebhookHint(self._collection(request.body))

    def replay_key(self, request: WebhookRequest) -> str | None:
        signature = request.headers.get(SIGNATURE)
        return None if signature is None else f"contentful:{signature}"

    def _collection(self, body: bytes) -> str:
        sys = json_object(body).get("sys")
        content_type = sys.get("contentType") if isinstance(sys, dict) else None
        type_sys = content_type.get("sys") if isinstance(content_type, dict) else None
        type_id = type_sys.get("id") if isinstance(type_sys, dict) else None
        spec = self.mapping.for_type(type_id) if isinstance(type_id, str) else None
        return spec.collection if spec is not None else ANY_COLLECTION
