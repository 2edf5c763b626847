"""The ``<head>`` tags that make a comparison page shareable: Open Graph, Twitter card, the
canonical link and the schema.org JSON-LD, rendered on the server so crawlers that run no
script still see them."""

from __future__ import annotations

from html import escape

from graphql_api.comparisons.page_facts import PageFacts
from graphql_api.comparisons.structured_data import (
    description,
    page_url,
    structured_data,
    to_script,
)
from graphql_api.share_cards.render import HEIGHT, WIDTH
from graphql_api.share_cards.route import card_path


def share_image_url(facts: PageFacts, base_url: str) -> str:
    """The absolute URL of the comparison's share card, versioned by what it draws."""
    return base_url.rstrip("/") + card_path(facts.comparison.slug, facts.card_digest())


def head_tags(facts: PageFacts, base_url: str) -> str:
    """The tags, one per line, escaped for HTML."""
    comparison = facts.comparison
    url = page_url(base_url, comparison.slug)
    text = description(facts)
    meta = [
        ("name", "description", text),
        ("property", "og:type", "article"),
        ("property", "og:site_name", "Verdict"),
        ("property", "og:title", comparison.title),
        ("property", "og:description", text),
        ("property", "og:url", url),
        ("property", "og:image", share_image_url(facts, base_url)),
        ("property", "og:image:type", "image/png"),
        ("property", "og:image:width", str(WIDTH)),
        ("property", "og:image:height", str(HEIGHT)),
        ("property", "og:image:alt", f"{comparison.title}: {facts.verdict_text}"),
        ("name", "twitter:card", "summary_large_image"),
    ]
    lines = [f"<title>{escape(comparison.title)} · Verdict</title>"]
    lines.append(f'<link rel="canonical" href="{escape(url)}">')
    lines += [
        f'<meta {kind}="{escape(key)}" content="{escape(value)}">' for kind, key, value in meta
    ]
    script = to_script(structured_data(facts, base_url))
    lines.append(f'<script type="application/ld+json">{script}</script>')
    return "\n  ".join(lines)
