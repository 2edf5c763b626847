"""The sync worker's HTTP endpoint: CMS webhooks (``POST /webhooks/<kind>``) and ``GET /healthz``.

A webhook is only a hint that something changed: it triggers a debounced incremental sync and its
payload is never used as data. Each CMS adapter brings a ``WebhookReceiver`` that verifies its
CMS's requests and reads the hint (which collection; for a CMS without a deletion log, which ids
it deleted). Directus's, here: it must carry the shared secret in ``X-Verdict-Webhook-Secret``
(what a Directus flow can send), or, from a CMS that can sign, an HMAC-SHA256 of
``<timestamp>.<body>`` in ``X-Verdict-Signature`` with ``X-Verdict-Timestamp`` (Unix seconds)
no more than five minutes away. Both are compared in constant time. Anything else gets a 4xx and
a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from aiohttp import web

from cms_sync.replays import MemoryReplays, Replays

log = logging.getLogger("cms_sync.webhooks")

SECRET_HEADER = "X-Verdict-Webhook-Secret"
SIGNATURE_HEADER = "X-Verdict-Signature"
TIMESTAMP_HEADER = "X-Verdict-Timestamp"
REPLAY_WINDOW = 300.0
MAX_TIMESTAMP_DIGITS = 12
"""Unix seconds in plain digits (a float would let ``nan`` or ``inf`` through the window)."""
MAX_BODY = 256 * 1024
WEBHOOK_PATH = "/webhooks/directus"


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """What a receiver sees of a webhook: headers lower-cased, the body as sent."""

    method: str
    path: str
    """The path with its query string, as sent (Contentful signs both)."""
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class WebhookHint:
    """What a verified webhook says: a collection changed, and maybe which ids the CMS deleted.

    ``deleted`` is for CMSs with no deletion log to read (Strapi): the source confirms each id is
    gone from the CMS before the sync deletes it, and full reconciliation catches missed ones."""

    collection: str
    deleted: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    """Ids the CMS changed in a way its listing of changes cannot show (Strapi's unpublish leaves
    the draft's updatedAt as it was): the source re-reads them in the next pass."""


class WebhookReceiver(Protocol):
    """One CMS's webhooks: how they are verified and what they hint."""

    def receive(self, request: WebhookRequest) -> WebhookHint:
        """The hint of an authentic request; raise WebhookRejected otherwise."""
        ...

    def replay_key(self, request: WebhookRequest) -> str | None:
        """A value to accept once (a signature), or None when the scheme has none."""
        ...


class WebhookRejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Verifier:
    """Checks a webhook's credentials against the shared secret."""

    secret: str
    clock: Callable[[], float] = time.time

    def verify(self, headers: dict[str, str], body: bytes) -> None:
        """Return when the request is authentic; raise WebhookRejected otherwise."""
        signature = headers.get(SIGNATURE_HEADER.lower())
        if signature is not None:
            self._verify_signature(signature, headers.get(TIMESTAMP_HEADER.lower()), body)
            return
        given = headers.get(SECRET_HEADER.lower())
        if given is None:
            raise WebhookRejected(401, "no secret or signature header")
        # aiohttp keeps a non-UTF-8 header byte as a lone surrogate: such a value is no secret.
        if not given.isascii() or not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise WebhookRejected(403, "wrong secret")

    def _verify_signature(self, signature: str, stamp: str | None, body: bytes) -> None:
        if stamp is None:
            raise WebhookRejected(401, f"signature without {TIMESTAMP_HEADER}")
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_TIMESTAMP_DIGITS):
            raise WebhookRejected(400, "timestamp is not Unix seconds in digits")
        sent_at = int(stamp)
        if abs(self.clock() - sent_at) > REPLAY_WINDOW:
            raise WebhookRejected(401, "stale or future timestamp (replay window is 5 minutes)")
        expected = sign(self.secret, stamp, body)
        given = signature.removeprefix("sha256=")
        if not given.isascii() or not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRejected(403, "bad signature")


@dataclass(frozen=True, slots=True)
class DirectusReceiver:
    """Directus's webhooks (a Flow's request): the shared secret header or the HMAC signature."""

    secret: str
    clock: Callable[[], float] = time.time

    def receive(self, request: WebhookRequest) -> WebhookHint:
        Verifier(self.secret, self.clock).verify(request.headers, request.body)
        return WebhookHint(_check_body(request.body))

    def replay_key(self, request: WebhookRequest) -> str | None:
        return request.headers.get(SIGNATURE_HEADER.lower())


def sign(secret: str, stamp: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``<stamp>.<body>`` with ``secret``."""
    return hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def json_object(body: bytes) -> dict[str, Any]:
    """A webhook body's JSON object; WebhookRejected (400) for anything else."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise WebhookRejected(400, "body is not JSON") from None
    if not isinstance(document, dict):
        raise WebhookRejected(400, "body is not a JSON object")
    return document


def _check_body(body: bytes) -> str:
    """The event's collection, for the log; the body is otherwise ignored."""
    document = json_object(body)
    collection = document.get("collection")
    event = document.get("event")
    if not isinstance(collection, str) and not isinstance(event, str):
        raise WebhookRejected(400, "body names neither an event nor a collection")
    if isinstance(collection, str):
        return collection[:100]
    return str(event).split(".", 1)[0][:100]


def create_webhook_app(
    secret: str | None,
    trigger: Callable[[str], None],
    *,
    healthy: Callable[[], bool] = lambda: True,
    clock: Callable[[], float] = time.time,
    replays: Replays | None = None,
    receiver: Callable[[str], WebhookReceiver] | None = None,
    path: str = WEBHOOK_PATH,
    on_deleted: Callable[[WebhookHint], None] | None = None,
) -> web.Application:
    """The worker's web app. Without a secret the webhook route answers 503, never unchecked.

    ``receiver`` makes the CMS's receiver from the secret (Directus's unless given), served at
    ``path``;
    ``on_deleted`` gets the hints that name deleted (or unlisted changed) ids. ``replays``
    records accepted signatures (in this process unless given: pass a ``RedisReplays`` when
    several workers receive webhooks)."""
    seen: Replays = replays if replays is not None else MemoryReplays()
    app = web.Application(client_max_size=MAX_BODY)
    make = receiver if receiver is not None else (lambda s: DirectusReceiver(s, clock))
    verifier = make(secret) if secret else None

    async def webhook(request: web.Request) -> web.Response:
        peer = request.remote or "?"
        if verifier is None:
            log.warning("webhook from %s refused: CMS_WEBHOOK_SECRET is not set", peer)
            return _json(503, "webhooks are disabled: CMS_WEBHOOK_SECRET is not set")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("webhook from %s rejected: body too large", peer)
            return _json(413, "body too large")
        received = WebhookRequest(
            request.method,
            request.path_qs,
            {k.lower(): v for k, v in request.headers.items()},
            body,
        )
        try:
            hint = verifier.receive(received)
            once = verifier.replay_key(received)
            if once is not None and not await seen.first_use(once, 2 * REPLAY_WINDOW):
                raise WebhookRejected(409, "replayed signature (already accepted)")
        except WebhookRejected as exc:
            log.warning("webhook from %s rejected (%d): %s", peer, exc.status, exc.reason)
            return _json(exc.status, exc.reason)
        if (hint.deleted or hint.changed) and on_deleted is not None:
            on_deleted(hint)
        trigger(hint.collection)
        return _json(202, "sync scheduled")

    async def healthz(request: web.Request) -> web.Response:
        ok = healthy()
        return _json(200 if ok else 503, "ok" if ok else "unhealthy")

    app.router.add_post(path, webhook)
    app.router.add_get("/healthz", healthz)
    return app


def _json(status: int, message: str) -> web.Response:
    key = "status" if status < 400 else "error"
    return web.Response(
        status=status, body=orjson.dumps({key: message}), content_type="application/json"
    )
