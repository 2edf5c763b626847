"""Contentful's webhooks at ``POST /webhooks/contentful``: signed requests turned into hints.

Contentful signs each webhook call with the space's webhook signing secret (``signing``); the
request must be signed, fresh (``x-contentful-timestamp`` within the time to live) and used once.
``X-Contentful-Topic`` is ``ContentManagement.<Type>.<action>``: an entry's ``publish``,
``unpublish``, ``delete``, ``archive`` or ``unarchive`` changes what the Delivery API serves, so
it schedules a sync; drafts' ``create``/``save``/``auto_save`` and other types (assets, content
types, tasks...) are accepted without one. The body names the entry's content type
(``sys.contentType.sys.id``) for the log; the data itself always comes from the Sync API.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import orjson

from cms_sync.contentful.model_map import ContentfulMapping, load_mapping
from cms_sync.contentful.signing import (
    DEFAULT_TTL_SECONDS,
    SIGNATURE,
    RequestVerifier,
    SignatureRejected,
)
from cms_sync.webhooks import WebhookHint, WebhookRejected

WEBHOOK_PATH = "/webhooks/contentful"
TOPIC = "x-contentful-topic"
DELIVERY_ACTIONS = frozenset({"publish", "unpublish", "delete", "archive", "unarchive"})
ANY_COLLECTION = "*"
"""The hint when a changed entry's content type cannot be told (the whole stream is read)."""


def _now_ms() -> float:
    return time.time() * 1000


@dataclass(frozen=True, slots=True)
class ContentfulWebhook:
    """Verifies Contentful's signed webhook calls; without a secret every call is a 503."""

    secret: str | None
    ttl_seconds: float = DEFAULT_TTL_SECONDS
    clock_ms: Callable[[], float] = _now_ms
    mapping: ContentfulMapping = field(default_factory=load_mapping)
    path: str = WEBHOOK_PATH

    def check(
        self, method: str, path_qs: str, headers: Mapping[str, str], body: bytes
    ) -> WebhookHint:
        if not self.secret:
            raise WebhookRejected(
                503, "webhooks are disabled: CONTENTFUL_WEBHOOK_SECRET is not set"
            )
        verifier = RequestVerifier(self.secret, self.ttl_seconds)
        try:
            verifier.verify(method, path_qs, headers, body, now_ms=self.clock_ms())
        except SignatureRejected as exc:
            raise WebhookRejected(exc.status, exc.reason) from None
        topic = headers.get(TOPIC, "")
        parts = topic.split(".")
        if len(parts) != 3 or not parts[0].startswith("Content"):
            raise WebhookRejected(400, f"{TOPIC} is not <ContentManagement>.<Type>.<action>")
        _, kind, action = parts
        replay_key = "contentful:" + headers[SIGNATURE]
        seconds = 2 * self.ttl_seconds
        if kind != "Entry" or action not in DELIVERY_ACTIONS:
            return WebhookHint(None, replay_key, seconds)
        return WebhookHint(self._collection(body), replay_key, seconds)

    def _collection(self, body: bytes) -> str:
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise WebhookRejected(400, "body is not JSON") from None
        if not isinstance(document, dict):
            raise WebhookRejected(400, "body is not a JSON object")
        sys = document.get("sys")
        content_type = sys.get("contentType") if isinstance(sys, dict) else None
        type_sys = content_type.get("sys") if isinstance(content_type, dict) else None
        type_id = type_sys.get("id") if isinstance(type_sys, dict) else None
        mapped = self.mapping.by_type.get(type_id) if isinstance(type_id, str) else None
        return mapped.collection if mapped is not None else ANY_COLLECTION
