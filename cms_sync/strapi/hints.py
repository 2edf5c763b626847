"""Strapi webhooks: verified, then read as hints (which documents were deleted or unpublished).

Strapi 5 POSTs ``{"event": "entry.delete", "createdAt": ..., "model": "tool",
"uid": "api::tool.tool", "entry": {"documentId": ..., ...}}`` (``@strapi/core``:
``services/document-service/events.js`` emits the ``entry.*`` events, ``services/
webhook-runner.js`` sends them with the webhook's own headers). Provision gives the webhook the
``X-Verdict-Webhook-Secret`` header; :class:`StrapiReceiver` compares it in constant time
(``cms_sync.webhooks.Verifier``) before reading anything.

Strapi CE keeps no activity log, so ``entry.delete`` is the only word of a deletion; an
``entry.unpublish`` leaves the draft's ``updatedAt`` as it was, so it too is seen only here (or by
the next full pass). A hint is never data: the source confirms a deletion against the REST API
before reporting it and re-reads an unpublished document. Hints live in the worker's memory: one
that restarts loses the hints it had not used, so a worker's first pass after taking the writer
lock is a full reconciliation (``cms_sync.worker``), which finds what they told.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from cms_sync.mapping import Mapping
from cms_sync.webhooks import (
    Verifier,
    WebhookHint,
    WebhookRejected,
    WebhookRequest,
    json_object,
)

EVENTS: Final = (
    "entry.create",
    "entry.update",
    "entry.delete",
    "entry.publish",
    "entry.unpublish",
)
MAX_DOCUMENT_ID: Final = 64
WEBHOOK_PATH: Final = "/webhooks/strapi"


def _uid(cms_type: str) -> str:
    singular = cms_type[:-1] if cms_type.endswith("s") else cms_type
    return f"api::{singular}.{singular}"


def parse_hint(body: bytes, mapping: Mapping) -> WebhookHint:
    """The hint a Strapi webhook body carries; WebhookRejected (400) when it carries none."""
    document = json_object(body)
    event = document.get("event")
    if event not in EVENTS:
        raise WebhookRejected(400, f"not a Strapi entry event: {str(event)[:40]!r}")
    uid = document.get("uid")
    by_uid = {_uid(spec.cms_type): name for name, spec in mapping.collections.items()}
    collection = by_uid.get(uid) if isinstance(uid, str) else None
    if collection is None:
        raise WebhookRejected(400, f"not one of Verdict's content types: {str(uid)[:80]!r}")
    entry = document.get("entry")
    document_id = entry.get("documentId") if isinstance(entry, dict) else None
    if (
        not isinstance(document_id, str)
        or not 0 < len(document_id) <= MAX_DOCUMENT_ID
        or not document_id.isascii()
        or not document_id.isalnum()
    ):
        raise WebhookRejected(400, "the entry has no documentId")
    ids = frozenset({document_id})
    if event == "entry.delete":
        return WebhookHint(collection, deleted=ids)
    if event == "entry.unpublish":
        return WebhookHint(collection, changed=ids)
    return WebhookHint(collection)


@dataclass(frozen=True, slots=True)
class StrapiReceiver:
    """Strapi's webhooks: the secret header (constant time), then a Strapi entry event."""

    secret: str
    mapping: Mapping
    clock: Callable[[], float] = field(default=time.time)

    def receive(self, request: WebhookRequest) -> WebhookHint:
        Verifier(self.secret, self.clock).verify(request.headers, request.body)
        return parse_hint(request.body, self.mapping)

    def replay_key(self, request: WebhookRequest) -> str | None:
        # Strapi sends a fixed header, no signature: a replayed hint only causes a re-read.
        return None


class Hints:
    """Hints waiting for the next pass, per collection."""

    def __init__(self) -> None:
        self._deleted: defaultdict[str, set[str]] = defaultdict(set)
        self._changed: defaultdict[str, set[str]] = defaultdict(set)

    def note_deleted(self, collection: str, ids: frozenset[str]) -> None:
        self._deleted[collection].update(ids)
        self._changed[collection].difference_update(ids)

    def note_changed(self, collection: str, ids: frozenset[str]) -> None:
        self._changed[collection].update(ids)

    def take_deleted(self, collection: str) -> set[str]:
        return self._deleted.pop(collection, set())

    def take_changed(self, collection: str) -> set[str]:
        return self._changed.pop(collection, set())

    def __len__(self) -> int:
        return sum(map(len, self._deleted.values())) + sum(map(len, self._changed.values()))
