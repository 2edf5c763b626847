"""Resolvers of ``Comparison.structuredData`` and ``Comparison.shareImage``.

They read the page's facts through the request's loaders, so a response selecting them depends
on the same content version keys as the page (and is cached and invalidated with it), and
several comparisons in one response are read in one batch per loader.
"""

from __future__ import annotations

from typing import Protocol

from strawberry.scalars import JSON

from graphql_api.comparisons.page_facts import PageFacts, page_facts
from graphql_api.comparisons.share_tags import share_image_url
from graphql_api.comparisons.structured_data import structured_data as json_ld
from graphql_api.context import Info

STRUCTURED_DATA_DESCRIPTION = (
    "schema.org JSON-LD for the comparison's page (a WebPage and one Product per tool with the "
    "panel's dated editorial reviews and their AggregateRating; never the community vote). "
    'Embed it as `<script type="application/ld+json">`. Null when the comparison has no sides.'
)
SHARE_IMAGE_DESCRIPTION = (
    "Absolute URL of a 1200x630 PNG share card (og:image) drawn on the server from the live "
    "figures: the tools, the panel's ship percentages and the verdict. The URL changes when "
    "the picture does. Null when the comparison has no sides."
)


class _Comparison(Protocol):
    @property
    def slug(self) -> str: ...


async def _facts(root: _Comparison, info: Info) -> PageFacts | None:
    facts = await page_facts(info.context.loaders, root.slug)
    return facts if facts is not None and facts.sides else None


def _base_url(info: Info) -> str:
    return info.context.settings.public_url or str(info.context.request.base_url).rstrip("/")


async def structured_data(root: _Comparison, info: Info) -> JSON | None:
    facts = await _facts(root, info)
    return None if facts is None else JSON(json_ld(facts, _base_url(info)))


async def share_image(root: _Comparison, info: Info) -> str | None:
    facts = await _facts(root, info)
    return None if facts is None else share_image_url(facts, _base_url(info))
