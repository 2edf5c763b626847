"""``GET /share/{slug}.png``: a comparison's share card, rendered once per content version.

The card is kept per comparison with the stamp of the content versions of everything its facts
were read from (``loaders.deps``: the same keys the page's GraphQL answer depends on). A request
reads the facts and those versions (three small queries) and serves the kept PNG while the
stamp matches; any sync that changes the comparison, its tools or their reviews bumps one of the
keys, and the next request renders a new card. Votes are not on the card, so they never
invalidate it. The URL's ``?v=`` (``Comparison.shareImage``) only busts crawlers' own caches.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from graphql_api.caching import policy
from graphql_api.comparisons.page_facts import content_stamp, page_facts
from graphql_api.loaders import Loaders
from graphql_api.reads import PUBLIC
from graphql_api.share_cards.render import Fonts, render

PATH = "/share/{slug}.png"


def card_path(slug: str, digest: str) -> str:
    """The card's path, versioned by what it draws (``PageFacts.card_digest``)."""
    return f"/share/{slug}.png?v={digest}"


@dataclass(slots=True)
class _Card:
    stamp: str
    png: bytes
    etag: str


class ShareCards:
    """The route and its per-process cache of rendered cards (least recently used go first)."""

    def __init__(self, fonts: Fonts, size: int) -> None:
        self._fonts = fonts
        self._size = size
        self._cards: OrderedDict[str, _Card] = OrderedDict()
        # One render at a time: FreeType faces are shared by the renders (lru_cache), and a burst
        # of requests for a card that just changed renders it once, not once per request.
        self._rendering = asyncio.Lock()
        self.renders = 0
        """Cards rendered so far (a miss), for tests and metrics."""

    def clear(self) -> None:
        """Forget every kept card (the benchmark measures renders with it)."""
        self._cards.clear()

    def routes(self) -> list[BaseRoute]:
        return [Route(PATH, self.endpoint, methods=["GET", "HEAD"])]

    async def endpoint(self, request: Request) -> Response:
        slug = str(request.path_params["slug"])
        if len(slug) > 200:
            return PlainTextResponse("Not found", status_code=404)
        loaders = Loaders(PUBLIC)
        facts = await page_facts(loaders, slug)
        if facts is None or not facts.sides:
            return PlainTextResponse("Not found", status_code=404)
        stamp = await content_stamp(loaders.deps)
        state = "hit"
        card = self._cards.get(slug)
        if card is None or card.stamp != stamp:
            async with self._rendering:
                card = self._cards.get(slug)
                if card is None or card.stamp != stamp:
                    # In a worker thread: a render never stalls the event loop.
                    png = await asyncio.to_thread(render, facts, self._fonts)
                    self.renders += 1
                    card = self._cards[slug] = _Card(stamp, png, policy.etag(png))
                    state = "miss"
                    while len(self._cards) > self._size:
                        self._cards.popitem(last=False)
        if slug in self._cards:
            self._cards.move_to_end(slug)
        headers = {
            "Cache-Control": "public, max-age=300",
            "ETag": card.etag,
            "X-Verdict-Card": state,
        }
        if policy.matches(request.headers.get("if-none-match", ""), card.etag):
            return Response(status_code=304, headers=headers)
        return Response(card.png, media_type="image/png", headers=headers)
