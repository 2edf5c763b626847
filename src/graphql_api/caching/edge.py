"""The edge cache: whole GET answers of the GraphQL endpoint, kept in process memory and served
before Strawberry runs (no parsing, no database, no Redis on a hit).

What it keeps: a 200 answer to a GET that the view marked ``public`` (content only, or the same
for everyone with live vote figures), never private, preview, error, batch or Set-Cookie answers,
keyed by the request's exact query string and ``Accept`` header. It is meant for persisted
queries over GET, whose URLs are short and repeat.

When an entry stops being served (checked on every hit, without I/O):

- content: a background task reads the global content version (``*``, which the sync bumps in the
  same transaction as every change) every ``poll`` seconds, and an entry is served only while
  that version is the one current before its request ran. A sync shows within ``poll``.
- votes: an answer showing vote figures is served only until this process hears of a vote on a
  comparison whose tallies it read (the vote feed: at once for votes taken here, over Redis from
  other replicas; an answer ordered by votes, on any comparison), and is neither kept nor served
  while the feed may be missing changes (Redis lost).
- age: never after ``ttl`` seconds, whatever happened.

Stamps are taken before the request runs, so a change that commits while it runs makes the
entry stale at once: an entry can be dropped too early, never served too late. Memory is
bounded by ``max_bytes`` (least recently used entries go first).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graphql_api.caching import policy
from graphql_api.ops.metrics import Metrics
from graphql_api.outcome import SCOPE_KEY as OUTCOME_KEY
from graphql_api.outcome import Outcome
from graphql_api.preview import tokens
from graphql_api.votes.feed import TallyFeed
from graphql_api.votes.voter import VoterSigner, acceptable
from verdict import content_versions

logger = logging.getLogger(__name__)

HIT = b"edge"
# A shared cache's lifetime is only given with an answer made now: one replayed from here may
# predate a change whose purge the shared cache already had (it would keep it until the next).
_DROPPED_HEADERS = frozenset(
    {
        b"x-request-id",
        b"x-verdict-cache",
        b"date",
        b"server",
        b"surrogate-control",
        b"cdn-cache-control",
    }
)
_NOT_MODIFIED_HEADERS = frozenset({b"cache-control", b"vary", b"etag"})


class ContentClock:
    """The global content version as this process last read it; None while it cannot be read."""

    def __init__(self, poll: float) -> None:
        self.poll = poll
        self.version: str | None = None

    async def refresh(self) -> None:
        try:
            self.version = await content_versions.read_any_change()
        except Exception:
            if self.version is not None:
                logger.warning("edge cache: content version unreadable, serving uncached")
            self.version = None

    async def run(self) -> None:
        while True:
            await self.refresh()
            await asyncio.sleep(self.poll)


@dataclass(frozen=True, slots=True)
class _VoteStamp:
    """The vote generations an answer was made under."""

    resets: int
    heard: int | None
    """For an answer that may show any comparison's votes: how many changes had been heard."""
    slugs: tuple[tuple[str, int], ...] = ()
    """Otherwise: the generation of each comparison whose tallies it read."""


class _VoteGenerations:
    """Counts the vote changes this process has heard, per comparison and in all."""

    def __init__(self) -> None:
        self.heard_count = 0
        self._resets = 0
        self._by_slug: dict[str, int] = {}

    def heard(self, slug: str | None) -> None:
        """A vote on ``slug``; None when changes may have been missed (every stamp is void)."""
        self.heard_count += 1
        if slug is None:
            self._resets += 1
        else:
            self._by_slug[slug] = self._by_slug.get(slug, 0) + 1

    def stamp(self, slugs: set[str] | None) -> _VoteStamp:
        if slugs is None:
            return _VoteStamp(self._resets, self.heard_count)
        by_slug = self._by_slug
        return _VoteStamp(self._resets, None, tuple((s, by_slug.get(s, 0)) for s in slugs))

    def current(self, stamp: _VoteStamp) -> bool:
        if stamp.resets != self._resets:
            return False
        if stamp.heard is not None:
            return stamp.heard == self.heard_count
        by_slug = self._by_slug
        return all(by_slug.get(s, 0) == n for s, n in stamp.slugs)


@dataclass(slots=True)
class _Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str
    operation: str | None
    content: str
    votes: _VoteStamp | None
    """The vote generations it was made under; None when it shows no vote figures."""
    expires: float
    size: int


class EdgeCache:
    """Wraps the GraphQL endpoint's ASGI app (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        clock: ContentClock,
        feed: TallyFeed,
        signer: VoterSigner,
        metrics: Metrics,
        max_bytes: int,
        ttl: float,
    ) -> None:
        self.app = app
        self._clock = clock
        self._feed = feed
        self._signer = signer
        self._metrics = metrics
        self._max_bytes = max_bytes
        self._max_entry = max(max_bytes // 16, 1)
        self._ttl = ttl
        self._entries: OrderedDict[tuple[bytes, bytes], _Entry] = OrderedDict()
        self._bytes = 0
        self._votes = _VoteGenerations()
        feed.listen(self._votes.heard)

    @property
    def size(self) -> tuple[int, int]:
        """Entries held and their bytes."""
        return len(self._entries), self._bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        preview = headers.get(tokens.HEADER_NAME) or tokens.COOKIE_NAME in headers.get("cookie", "")
        if preview or not self._voter_ok(headers):
            # Previews are never cached; a bad voter token must meet the voter middleware's 401.
            await self.app(scope, receive, send)
            return
        key = (bytes(scope["query_string"]), headers.get("accept", "").encode("latin-1"))
        entry = self._entries.get(key)
        if entry is not None:
            if self._fresh(entry):
                self._entries.move_to_end(key)
                await self._serve(entry, headers.get("if-none-match", ""), send)
                self._metrics.cache.labels("edge").inc()
                self._metrics.observe(entry.operation, time.perf_counter() - started, [])
                return
            self._drop(key)
        await self._run_and_keep(key, scope, receive, send)

    def _voter_ok(self, headers: Headers) -> bool:
        return acceptable(self._signer, headers)

    def _fresh(self, entry: _Entry) -> bool:
        if entry.content != self._clock.version or time.monotonic() >= entry.expires:
            return False
        return entry.votes is None or (self._feed.complete and self._votes.current(entry.votes))

    async def _serve(self, entry: _Entry, if_none_match: str, send: Send) -> None:
        if if_none_match and policy.matches(if_none_match, entry.etag):
            kept = [(k, v) for k, v in entry.headers if k in _NOT_MODIFIED_HEADERS]
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": [*kept, (b"x-verdict-cache", HIT)],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*entry.headers, (b"x-verdict-cache", HIT)],
            }
        )
        await send({"type": "http.response.body", "body": entry.body})

    async def _run_and_keep(
        self, key: tuple[bytes, bytes], scope: Scope, receive: Receive, send: Send
    ) -> None:
        content = self._clock.version
        votes_before = self._votes.heard_count
        complete = self._feed.complete
        outcome = Outcome()
        status = 0
        kept_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        length = 0
        storable = content is not None

        async def capture(message: Message) -> None:
            nonlocal status, storable, length
            if storable:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    kept_headers.extend(
                        (bytes(k).lower(), bytes(v)) for k, v in message.get("headers", [])
                    )
                elif message["type"] == "http.response.body":
                    chunks.append(bytes(message.get("body", b"")))
                    length += len(chunks[-1])
                    if length > self._max_entry:
                        storable, chunks[:] = False, []
            await send(message)

        await self.app({**scope, OUTCOME_KEY: outcome}, receive, capture)
        if not storable or content is None or status != 200 or not outcome.tracked:
            return
        votes = None
        if outcome.scope is policy.Scope.PUBLIC:
            # A vote heard while the request ran may or may not show: keep nothing then.
            if not (complete and self._feed.complete and votes_before == self._votes.heard_count):
                return
            votes = self._votes.stamp(outcome.vote_slugs)
        elif outcome.scope is not policy.Scope.CONTENT:
            return
        response_headers = dict(kept_headers)
        cache_control = response_headers.get(b"cache-control", b"")
        if b"set-cookie" in response_headers or not cache_control.startswith(b"public"):
            return
        # A compact copy: an encoder's output may carry spare capacity (orjson's bytes hold half
        # as much again as their length), and an entry lives for minutes.
        body = bytes(memoryview(b"".join(chunks)))
        etag = response_headers.get(b"etag", b"").decode("latin-1") or policy.etag(body)
        stored = [(k, v) for k, v in kept_headers if k not in _DROPPED_HEADERS]
        size = len(body) + sum(len(k) + len(v) for k, v in stored) + len(key[0]) + len(key[1])
        self._drop(key)
        self._entries[key] = _Entry(
            headers=stored,
            body=body,
            etag=etag,
            operation=outcome.operations[0] if len(outcome.operations) == 1 else None,
            content=content,
            votes=votes,
            expires=time.monotonic() + self._ttl,
            size=size,
        )
        self._bytes += size
        while self._bytes > self._max_bytes and self._entries:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    def _drop(self, key: tuple[bytes, bytes]) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size
