"""schema.org JSON-LD for a comparison page, within Google's review snippet and product rules.

What is marked up (docs/structured-data.md has the reasons):

- the page as a ``WebPage`` whose ``mainEntity`` is an ``ItemList`` of the compared tools;
- each tool as a ``Product`` with its panel reviews: editorial ``Review``s by named reviewers
  (``Person``), dated, with the quote as ``reviewBody``. A panel verdict is binary, so its
  ``reviewRating`` is on a 0 to 1 scale (ship 1, skip 0), and the ``AggregateRating`` is the mean
  of those ratings (the ship share) with ``reviewCount``: it aggregates exactly the reviews that
  are shown on the page;
- reviews without a publication date are left out (Google asks for dated editorial reviews).

Never marked up: the community vote (a poll, not a rating: no ``AggregateRating`` or
``InteractionCounter`` from it), prices (the content has only free-text entry prices) and
``positiveNotes``/``negativeNotes`` (the content has no pros and cons lists; they would have to
be visible on the page).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from graphql_api.comparisons.page_facts import PageFacts, SideFacts
from graphql_api.rows import ReviewRow

SHIP_RATING = 1
SKIP_RATING = 0


def page_url(base_url: str, slug: str) -> str:
    return f"{base_url.rstrip('/')}/compare/{slug}"


def structured_data(facts: PageFacts, base_url: str) -> dict[str, Any]:
    """The page's JSON-LD object (``@context`` and ``@graph``)."""
    comparison = facts.comparison
    url = page_url(base_url, comparison.slug)
    products = [_product(side, url) for side in facts.sides]
    page: dict[str, Any] = {
        "@type": "WebPage",
        "@id": url,
        "url": url,
        "name": comparison.title,
        "description": description(facts),
        "dateModified": _date(comparison.cms_updated_at),
        "mainEntity": {
            "@type": "ItemList",
            "numberOfItems": len(products),
            "itemListElement": [
                {"@type": "ListItem", "position": index, "item": {"@id": product["@id"]}}
                for index, product in enumerate(products, start=1)
            ],
        },
    }
    if comparison.published_at is not None:
        page["datePublished"] = _date(comparison.published_at)
    return {"@context": "https://schema.org", "@graph": [page, *products]}


def description(facts: PageFacts) -> str:
    """One line for the page's description and og:description: headline, then verdict."""
    parts = [facts.comparison.headline.strip()]
    figures = ", ".join(
        f"{s.tool.name} {s.ship_percent}% ship" for s in facts.sides if s.ship_percent is not None
    )
    verdict = facts.verdict_text + (f" ({figures})" if figures else "")
    return " ".join(p for p in (*parts, verdict + ".") if p)


def to_script(data: dict[str, Any]) -> str:
    """The JSON-LD as the text of a ``<script type="application/ld+json">``: ``<``, ``>`` and
    ``&`` escaped, so content can never close the script element."""
    text = orjson.dumps(data).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _product(side: SideFacts, page: str) -> dict[str, Any]:
    tool = side.tool
    product: dict[str, Any] = {
        "@type": "Product",
        "@id": f"{page}#{tool.slug}",
        "name": tool.name,
        "description": tool.tagline,
        "brand": {"@type": "Brand", "name": tool.vendor},
        "category": tool.category,
    }
    if tool.website:
        product["url"] = tool.website
    if tool.logo_url:
        product["image"] = tool.logo_url
    reviews = [r for r in side.reviews if r.published_at is not None]
    if reviews:
        product["review"] = [_review(r) for r in reviews]
        ship = sum(1 for r in reviews if r.verdict == "ship")
        product["aggregateRating"] = {
            "@type": "AggregateRating",
            # The mean of the reviews' 0-1 ratings, i.e. the share of them that say ship.
            "ratingValue": round(ship / len(reviews), 2),
            "bestRating": SHIP_RATING,
            "worstRating": SKIP_RATING,
            "reviewCount": len(reviews),
        }
    return product


def _review(review: ReviewRow) -> dict[str, Any]:
    assert review.published_at is not None  # filtered by the caller
    return {
        "@type": "Review",
        "author": {"@type": "Person", "name": review.reviewer.name},
        "datePublished": _date(review.published_at),
        "reviewBody": review.quote,
        "name": f"{review.reviewer.name}: {review.verdict}",
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": SHIP_RATING if review.verdict == "ship" else SKIP_RATING,
            "bestRating": SHIP_RATING,
            "worstRating": SKIP_RATING,
        },
    }


def _date(value: datetime) -> str:
    return value.isoformat()
