"""Verdict content in the Contentful stand-in's shapes: field builders and a seeder.

Content types and field ids follow ``schema/cms/contentful.json``. Ids are Contentful-style
strings (``tool-7``, ``review-3``); ``seed`` publishes N of each, parents first, as an editor
would, so tests and ``bench/sync_bench.py`` can sync a space of any size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devtools.contentful_standin import ContentfulStandin, link

LENSES = ("developer_experience", "competition", "thesis", "business")


def tool_id(n: int) -> str:
    return f"tool-{n}"


def reviewer_id(n: int) -> str:
    return f"reviewer-{n}"


def review_id(n: int) -> str:
    return f"review-{n}"


def comparison_id(n: int) -> str:
    return f"comparison-{n}"


def side_id(comparison: int, position: int) -> str:
    return f"side-{comparison}-{position}"


def tool_fields(n: int, **changes: Any) -> dict[str, Any]:
    fields = {
        "slug": f"tool-{n}",
        "name": f"Tool {n}",
        "vendor": f"Vendor {n % 97}",
        "tagline": "Writes code",
        "category": "coding-assistant",
        "pricingEntry": "Free",
        "openWeights": n % 2 == 0,
        "modelSizes": ["7B"],
    }
    return fields | changes


def reviewer_fields(n: int, **changes: Any) -> dict[str, Any]:
    fields = {"slug": f"reviewer-{n}", "name": f"Reviewer {n}", "lens": LENSES[n % 4]}
    return fields | changes


def review_fields(n: int, tool: str, reviewer: str, **changes: Any) -> dict[str, Any]:
    fields = {
        "reviewer": link(reviewer),
        "tool": link(tool),
        "verdict": "ship" if n % 3 else "skip",
        "quote": f"Take {n}",
    }
    return fields | changes


def comparison_fields(n: int, **changes: Any) -> dict[str, Any]:
    fields = {
        "slug": f"comparison-{n}",
        "title": f"Comparison {n}",
        "headline": f"Which one, {n}?",
        "votingOpen": True,
    }
    return fields | changes


def side_fields(comparison: str, tool: str, position: int) -> dict[str, Any]:
    return {"comparison": link(comparison), "tool": link(tool), "position": position}


@dataclass(slots=True)
class Seeded:
    tools: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)
    comparisons: list[str] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)


def seed(
    standin: ContentfulStandin,
    *,
    tools: int,
    reviewers: int = 0,
    reviews: int = 0,
    comparisons: int = 0,
) -> Seeded:
    """Publish ``tools`` tools, ``reviewers`` reviewers, ``reviews`` reviews spread over the
    tools (review n of tool n % tools, by reviewer n % reviewers; at most 12 per tool stay
    within Verdict's bound when reviews <= 12 * tools) and ``comparisons`` of two sides each."""
    if reviews and not (tools and reviewers):
        raise ValueError("reviews need tools and reviewers")
    if comparisons and tools < 2:
        raise ValueError("comparisons need two tools")
    done = Seeded()
    for n in range(1, tools + 1):
        standin.publish("tool", tool_id(n), tool_fields(n))
        done.tools.append(tool_id(n))
    for n in range(1, reviewers + 1):
        standin.publish("reviewer", reviewer_id(n), reviewer_fields(n))
        done.reviewers.append(reviewer_id(n))
    for n in range(1, reviews + 1):
        fields = review_fields(n, tool_id(n % tools + 1), reviewer_id(n % reviewers + 1))
        standin.publish("review", review_id(n), fields)
        done.reviews.append(review_id(n))
    for n in range(1, comparisons + 1):
        standin.publish("comparison", comparison_id(n), comparison_fields(n))
        done.comparisons.append(comparison_id(n))
        for position in (1, 2):
            tool = tool_id((n + position - 2) % tools + 1)
            standin.publish(
                "comparisonSide",
                side_id(n, position),
                side_fields(comparison_id(n), tool, position),
            )
            done.sides.append(side_id(n, position))
    return done


def change(standin: ContentfulStandin, seeded: Seeded, count: int = 10) -> list[str]:
    """Republish ``count`` seeded entries with new values (half tools, half reviews, spread over
    the space), as a benchmark's incremental pass wants; returns their ids."""
    changed: list[str] = []
    for i in range(count):
        pool = seeded.tools if i % 2 == 0 or not seeded.reviews else seeded.reviews
        entry_id = pool[(i // 2 * 997) % len(pool)]
        item = standin.latest[entry_id].item
        fields = dict(item["fields"])
        key = "name" if "name" in fields else "quote"
        fields[key] = {standin.locale: f"Changed {i}"}
        standin.publish(item["sys"]["contentType"]["sys"]["id"], entry_id, fields, localized=True)
        changed.append(entry_id)
    return changed
