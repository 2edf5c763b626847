"""A local stand-in for Contentful's Content Delivery API Sync endpoint (dev and tests only).

Contentful is a hosted service these machines cannot reach, so the Contentful adapter is verified
against this aiohttp server instead of a live space. It is written from Contentful's public
documentation and answers in the shapes documented there; it is not Contentful, and what it does
not reproduce is listed at the end.

Reproduced, from the Content Delivery API reference, "Synchronization"
(``/developers/docs/references/content-delivery-api/#/reference/synchronization``) and the
"Sync API" concept page:

- ``GET /spaces/{space_id}/environments/{environment_id}/sync`` with ``initial=true`` (all
  published content; an initial sync carries no deletions), or ``sync_token=<token>`` (only
  what changed since the sync that issued the token); ``initial`` together with ``sync_token``
  or neither is a 400. ``type`` on the initial sync: ``all`` (default), ``Entry``, ``Asset``,
  ``Deletion``, ``DeletedEntry``, ``DeletedAsset``; ``limit`` (page size, default 100, at most
  1000) on the initial sync. Both are encoded into the tokens, as documented.
- The response ``{"sys": {"type": "Array"}, "items": [...], "nextPageUrl": ...}`` while more
  pages follow, and ``"nextSyncUrl"`` on the last page; both are URLs of this endpoint carrying
  ``sync_token``. Every change of a window is served by the token paging through it; later
  changes wait for the next sync.
- Items: ``Entry`` (``sys``: ``id``, ``type``, ``createdAt``, ``updatedAt``, ``revision``,
  ``space`` and ``environment`` links, ``contentType`` link ``{"sys": {"type": "Link",
  "linkType": "ContentType", "id": ...}}``; ``fields`` keyed by field id then by locale code,
  since sync always returns every locale), ``DeletedEntry`` (``sys`` with ``id``, ``type``,
  ``createdAt``, ``updatedAt``, ``deletedAt``, ``revision``, no fields, no content type), and
  ``Asset``/``DeletedAsset`` alike. An entry unpublished from the Delivery API is a deletion
  there, so it syncs as a ``DeletedEntry``. Links between entries are
  ``{"sys": {"type": "Link", "linkType": "Entry", "id": ...}}``.
- Authentication ("Authentication" section): ``Authorization: Bearer <token>`` or the
  ``access_token`` query parameter; a missing or wrong token is a 401 ``AccessTokenInvalid``.
- Errors ("Errors" section): ``{"sys": {"type": "Error", "id": <code>}, "message": ...,
  "requestId": ...}`` with the codes ``NotFound`` (404, unknown space or environment),
  ``AccessTokenInvalid`` (401), ``BadRequest`` (400), ``RateLimitExceeded`` (429) and
  ``ServerError`` (500, by the switch ``fail``); every answer carries
  ``X-Contentful-Request-Id``.
- Rate limits ("API rate limits" section): a 429 carries ``X-Contentful-RateLimit-Reset``, the
  seconds until another request is accepted. The switch ``rate_limit(times, reset)`` makes the
  next ``times`` sync requests answer that way (fault injection for tests).

Not reproduced: Contentful's real token format (ours is opaque base64 JSON), the Content
Preview API's drafts, the entries, assets and content-type listings, locales' fallback rules,
resolved links (``include``), real rate-limit counting, and anything of the Management API.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import bisect
import contextlib
import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

import orjson
from aiohttp import web

DEFAULT_SPACE = "verdictspace"
DEFAULT_ENVIRONMENT = "master"
DEFAULT_TOKEN = "standin-delivery-token-0123456789"
DEFAULT_LOCALE = "en-US"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
SYNC_TYPES = ("all", "Entry", "Asset", "Deletion", "DeletedEntry", "DeletedAsset")
_MS = timedelta(milliseconds=1)


@dataclass(slots=True)
class _Change:
    seq: int
    item: dict[str, Any]
    """The item as the sync serves it: an Entry/Asset, or a DeletedEntry/DeletedAsset."""


@dataclass(slots=True)
class _Fault:
    times: int = 0
    reset_seconds: int = 1
    server_errors: int = 0
    after: int = 0
    """Requests to serve normally before the server errors start."""


@dataclass(slots=True)
class ContentfulStandin:
    """The space's content and change log, and the HTTP server answering for it."""

    space_id: str = DEFAULT_SPACE
    environment: str = DEFAULT_ENVIRONMENT
    token: str = DEFAULT_TOKEN
    locale: str = DEFAULT_LOCALE
    latest: dict[str, _Change] = field(default_factory=dict)
    """id -> the latest change of the entry or asset (its live item, or its deletion)."""
    requests: list[str] = field(default_factory=list)
    """``path?query`` of every request served, for tests."""
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _head: int = 0
    _clock: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(days=1))
    _fault: _Fault = field(default_factory=_Fault)
    _log: list[tuple[int, str, str]] = field(default_factory=list)
    """(seq, id, item type) of every change, in order."""
    _windows: dict[tuple[int, int, str], list[str]] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    url: str = ""
    """The base URL (``http://127.0.0.1:<port>``) once started."""

    # -- content (what an editor does in the web app, seen from the Delivery API) --------------

    def publish(
        self,
        content_type: str,
        entry_id: str,
        fields: Mapping[str, Any],
        *,
        localized: bool = False,
    ) -> dict[str, Any]:
        """Publish an entry; ``fields`` by field id, in the default locale unless ``localized``
        (then already ``{field: {locale: value}}``). Returns the entry as the sync serves it."""
        stamp = self._tick()
        previous = self.latest.get(entry_id)
        live = previous is not None and previous.item["sys"]["type"] == "Entry"
        created = previous.item["sys"]["createdAt"] if previous is not None else _iso(stamp)
        revision = previous.item["sys"]["revision"] + 1 if live and previous else 1
        values = (
            {k: dict(v) for k, v in fields.items()}
            if localized
            else {k: {self.locale: v} for k, v in fields.items() if v is not None}
        )
        item = {
            "sys": self._sys(entry_id, "Entry", created, stamp, revision)
            | {"contentType": link(content_type, "ContentType")},
            "fields": values,
        }
        self._record(entry_id, item)
        return item

    def delete(self, entry_id: str) -> None:
        """Delete (or unpublish) an entry: the Delivery API's sync shows a ``DeletedEntry``."""
        self._gone(entry_id, "DeletedEntry")

    unpublish = delete

    def publish_asset(self, asset_id: str, title: str) -> None:
        stamp = self._tick()
        item = {
            "sys": self._sys(asset_id, "Asset", _iso(stamp), stamp, 1),
            "fields": {"title": {self.locale: title}},
        }
        self._record(asset_id, item)

    def delete_asset(self, asset_id: str) -> None:
        self._gone(asset_id, "DeletedAsset")

    def rate_limit(self, times: int, reset_seconds: int = 1) -> None:
        """Answer the next ``times`` sync requests with 429 and this reset header."""
        self._fault = _Fault(times, reset_seconds)

    def fail(self, times: int, *, after: int = 0) -> None:
        """After ``after`` good answers, answer ``times`` sync requests with a 500 ServerError."""
        self._fault = _Fault(server_errors=times, after=after)

    def live_ids(self, content_type: str | None = None) -> set[str]:
        return {
            i
            for i, c in self.latest.items()
            if c.item["sys"]["type"] == "Entry"
            and (content_type is None or c.item["sys"]["contentType"]["sys"]["id"] == content_type)
        }

    def _gone(self, item_id: str, kind: str) -> None:
        previous = self.latest.get(item_id)
        if previous is None or previous.item["sys"]["type"].startswith("Deleted"):
            raise KeyError(f"{item_id} is not published")
        stamp = self._tick()
        sys = previous.item["sys"]
        self._record(
            item_id,
            {
                "sys": self._sys(item_id, kind, sys["createdAt"], stamp, sys["revision"])
                | {"deletedAt": _iso(stamp)}
            },
        )

    def _sys(
        self, item_id: str, kind: str, created: str, stamp: datetime, revision: int
    ) -> dict[str, Any]:
        return {
            "space": link(self.space_id, "Space"),
            "environment": link(self.environment, "Environment"),
            "id": item_id,
            "type": kind,
            "createdAt": created,
            "updatedAt": _iso(stamp),
            "revision": revision,
        }

    def _record(self, item_id: str, item: dict[str, Any]) -> None:
        seq = next(self._seq)
        self._head = seq
        self.latest[item_id] = _Change(seq, item)
        self._log.append((seq, item_id, item["sys"]["type"]))

    def _tick(self) -> datetime:
        # Strictly increasing stamps in whole milliseconds, never ahead of the clock.
        now = datetime.now(UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        self._clock = max(self._clock + _MS, now)
        return self._clock

    # -- the server -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        app.router.add_get("/spaces/{space}/environments/{environment}/sync", self._sync)
        app.router.add_get("/spaces/{space}/sync", self._sync)  # the master environment
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ContentfulStandin:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _sync(self, request: web.Request) -> web.Response:
        self.requests.append(request.path_qs)
        given = request.headers.get("Authorization", "")
        token = given.removeprefix("Bearer ") if given.startswith("Bearer ") else None
        token = token or request.query.get("access_token")
        if token != self.token:
            return _error(
                401,
                "AccessTokenInvalid",
                "The access token you sent could not be found or is invalid.",
            )
        environment = request.match_info.get("environment", DEFAULT_ENVIRONMENT)
        if request.match_info["space"] != self.space_id or environment != self.environment:
            return _error(404, "NotFound", "The resource could not be found.")
        if self._fault.server_errors > 0:
            if self._fault.after > 0:
                self._fault.after -= 1
            else:
                self._fault.server_errors -= 1
                return _error(500, "ServerError", "Internal server error.")
        if self._fault.times > 0:
            self._fault.times -= 1
            return _error(
                429,
                "RateLimitExceeded",
                "You have exceeded the rate limit of the Organization this Space belongs to by "
                "making too many API requests within a short timespan. Please wait a moment "
                "before trying the request again.",
                {"X-Contentful-RateLimit-Reset": str(self._fault.reset_seconds)},
            )
        try:
            window = self._window(request.query)
        except ValueError as exc:
            return _error(400, "BadRequest", str(exc))
        since, upto, offset, kind, limit = window
        ids = self._ids(since, upto, kind)
        wanted = _kinds(kind, initial=since == 0)
        # Each id's latest state; one changed since the window closed is served as it is now
        # (and again by the next sync), one deleted since is left to the next sync.
        items = [
            item
            for item in (self.latest[i].item for i in ids[offset : offset + limit])
            if item["sys"]["type"] in wanted
        ]
        base = str(request.url.with_query(None))
        if offset + limit < len(ids):
            next_key, next_token = "nextPageUrl", _token(since, upto, offset + limit, kind, limit)
        else:
            next_key, next_token = "nextSyncUrl", _token(upto, -1, 0, kind, limit)
        body = {
            "sys": {"type": "Array"},
            "items": items,
            next_key: f"{base}?sync_token={next_token}",
        }
        return _json(200, body)

    def _window(self, query: Mapping[str, str]) -> tuple[int, int, int, str, int]:
        initial = query.get("initial")
        sync_token = query.get("sync_token")
        if (initial is None) == (sync_token is None):
            raise ValueError("Send either initial=true or a sync_token, not both or neither.")
        if sync_token is not None:
            since, upto, offset, kind, limit = _read_token(sync_token)
            if upto < 0:  # a sync token: the window ends at the changes made until now
                upto = self._head
            return since, upto, offset, kind, limit
        if initial != "true":
            raise ValueError("initial must be true.")
        kind = query.get("type", "all")
        if kind not in SYNC_TYPES:
            raise ValueError(f"type must be one of {', '.join(SYNC_TYPES)}.")
        raw_limit = query.get("limit", str(DEFAULT_LIMIT))
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise ValueError(f"limit must be an integer from 1 to {MAX_LIMIT}.")
        return 0, self._head, 0, kind, int(raw_limit)

    def _ids(self, since: int, upto: int, kind: str) -> list[str]:
        """Ids changed in (since, upto], by their last change in the window, of the wanted
        kinds: fixed for a window, so paging through it never skips an entry edited meanwhile."""
        key = (since, upto, kind)
        cached = self._windows.get(key)
        if cached is not None:
            return cached
        wanted = _kinds(kind, initial=since == 0)
        start = bisect.bisect_right(self._log, since, key=lambda change: change[0])
        end = bisect.bisect_right(self._log, upto, key=lambda change: change[0])
        last: dict[str, str] = {}
        for _, item_id, item_type in self._log[start:end]:
            last.pop(item_id, None)
            last[item_id] = item_type
        ids = [i for i, item_type in last.items() if item_type in wanted]
        if len(self._windows) > 64:
            self._windows.clear()
        self._windows[key] = ids
        return ids


def _kinds(kind: str, *, initial: bool) -> frozenset[str]:
    live = {"Entry", "Asset"}
    gone = set() if initial else {"DeletedEntry", "DeletedAsset"}
    match kind:
        case "Entry" | "Asset":
            return frozenset({kind})
        case "DeletedEntry" | "DeletedAsset":
            return frozenset({kind} & gone)
        case "Deletion":
            return frozenset(gone)
    return frozenset(live | gone)


def link(target_id: str, link_type: str = "Entry") -> dict[str, Any]:
    """A link as Contentful writes it: ``{"sys": {"type": "Link", "linkType", "id"}}``."""
    return {"sys": {"type": "Link", "linkType": link_type, "id": target_id}}


def _token(since: int, upto: int, offset: int, kind: str, limit: int) -> str:
    raw = orjson.dumps([since, upto, offset, kind, limit])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_token(token: str) -> tuple[int, int, int, str, int]:
    try:
        padded = token + "=" * (-len(token) % 4)
        since, upto, offset, kind, limit = orjson.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError, TypeError):
        raise ValueError("The sync token is invalid.") from None
    values = (since, upto, offset, limit)
    if not all(isinstance(v, int) for v in values) or kind not in SYNC_TYPES:
        raise ValueError("The sync token is invalid.")
    return since, upto, offset, kind, limit


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    body = {"sys": {"type": "Error", "id": code}, "message": message}
    return _json(status, body, headers)


def _json(
    status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> web.Response:
    request_id = uuid.uuid4().hex
    if body.get("sys", {}).get("type") == "Error":
        body = body | {"requestId": request_id}
    return web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type="application/json",
        headers={"X-Contentful-Request-Id": request_id, **(headers or {})},
    )


async def _serve(port: int, tools: int, reviewers: int, reviews: int) -> None:
    from devtools.contentful_content import seed  # the seeder builds on this module

    standin = ContentfulStandin()
    seed(standin, tools=tools, reviewers=reviewers, reviews=reviews)
    await standin.start(port=port)
    print(
        f"Contentful stand-in at {standin.url}: CONTENTFUL_BASE_URL={standin.url} "
        f"CONTENTFUL_SPACE_ID={standin.space_id} CONTENTFUL_ACCESS_TOKEN={standin.token}",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await standin.close()


def main(argv: list[str] | None = None) -> None:
    """``python -m devtools.contentful_standin --port 8090 --tools 10``: serve seeded content."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--tools", type=int, default=10)
    parser.add_argument("--reviewers", type=int, default=4)
    parser.add_argument("--reviews", type=int, default=20)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.tools, args.reviewers, args.reviews))


if __name__ == "__main__":
    main()
