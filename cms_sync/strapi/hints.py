"""Strapi webhooks as hints: which documents were deleted, unpublished or touched.

Strapi 5 sends ``{"event": "entry.delete", "createdAt": ..., "model": "tool",
"uid": "api::tool.tool", "entry": {"documentId": ..., ...}}`` (``packages/core/core/src/
services/webhook-runner.ts`` and the ``entry.*`` events of the document service). Strapi CE has
no activity log, so these are the only word of a deletion; an unpublish leaves the draft's
``updatedAt`` as it was, so it too is seen only here (or by the next full pass).

A hint is never data: the source confirms a deletion against the REST API before reporting it,
and re-reads a touched document. Hints live in this process: a worker that restarts loses the
ones it had not used, and full reconciliation finds what they would have told.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Final

import orjson

from cms_sync.content_model import load_content_model
from cms_sync.strapi.content_types import strapi_type

EVENTS: Final = (
    "entry.create",
    "entry.update",
    "entry.delete",
    "entry.publish",
    "entry.unpublish",
)
MAX_DOCUMENT_ID = 64


class HintError(ValueError):
    """A webhook body that is not a Strapi entry event for one of Verdict's types."""


@dataclass(frozen=True, slots=True)
class Hint:
    event: str
    collection: str
    document_id: str

    @property
    def deleted(self) -> bool:
        return self.event == "entry.delete"


def _collections_by_uid() -> dict[str, str]:
    return {strapi_type(c).uid: c for c in load_content_model().collections}


def parse_hint(body: bytes) -> Hint:
    """The hint a Strapi webhook body carries; :class:`HintError` when it carries none."""
    try:
        document: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HintError("body is not JSON") from None
    if not isinstance(document, dict):
        raise HintError("body is not a JSON object")
    event = document.get("event")
    if event not in EVENTS:
        raise HintError(f"not an entry event: {str(event)[:40]!r}")
    uid = document.get("uid")
    collection = _collections_by_uid().get(uid) if isinstance(uid, str) else None
    if collection is None:
        raise HintError(f"not one of Verdict's content types: {str(uid)[:80]!r}")
    entry = document.get("entry")
    document_id = entry.get("documentId") if isinstance(entry, dict) else None
    if (
        not isinstance(document_id, str)
        or not document_id
        or len(document_id) > MAX_DOCUMENT_ID
        or not document_id.isascii()
        or not document_id.isalnum()
    ):
        raise HintError("entry has no documentId")
    return Hint(event=str(event), collection=collection, document_id=document_id)


class Hints:
    """Hints waiting for the next pass, per collection (one worker process)."""

    def __init__(self) -> None:
        self._deleted: defaultdict[str, set[str]] = defaultdict(set)
        self._touched: defaultdict[str, set[str]] = defaultdict(set)

    def note(self, hint: Hint) -> None:
        if hint.deleted:
            self._deleted[hint.collection].add(hint.document_id)
            self._touched[hint.collection].discard(hint.document_id)
        else:
            self._touched[hint.collection].add(hint.document_id)

    def take_deleted(self, collection: str) -> set[str]:
        return self._deleted.pop(collection, set())

    def take_touched(self, collection: str) -> set[str]:
        return self._touched.pop(collection, set())

    def __len__(self) -> int:
        return sum(len(s) for s in self._deleted.values()) + sum(
            len(s) for s in self._touched.values()
        )
