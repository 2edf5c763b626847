"""The listing's ceilings (not part of the product), served by ``bench.ceiling``.

* ``GET /listing``: the no-GraphQL ceiling of the 20-item comparison listing. A plain handler
  doing the API's read (the page of comparisons joined with their sides, their tools, the tools'
  panel figures and the sides' vote tallies, and the versions behind the cached count), built by
  Tortoise per request, and answering the same JSON as the GraphQL listing
  (``tests.graphql.queries.COMPARISON_LISTING``, newest first) with ``verdict.figures``.
* ``GET /listing-statements``: the same handler reading through the API's compiled statements,
  so the listing against it shows what GraphQL itself costs over the same reads.

``totalCount`` comes from the API's own count cache (``graphql_api.relay.counts``), checked
against the versions read with the page, as the API does: a plain handler that counted every
published comparison per request would be measuring PostgreSQL's COUNT, not a handler.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import partial
from typing import Any

from graphql_api import reads
from graphql_api.comparisons import listing
from graphql_api.comparisons.inputs import ComparisonOrder
from graphql_api.relay.connection import encode_cursor
from graphql_api.relay.counts import CountCache
from graphql_api.relay.node import encode_id
from verdict import content_versions
from verdict.figures import panel_verdict, ship_percent, vote_share
from verdict.models.content import Status

PAGE_SIZE = 20
SHAPE = listing.Shape.of(reads.PUBLIC, None, ComparisonOrder.NEWEST, 0, PAGE_SIZE + 1, tallies=True)
_TOOL = "sides__tool__"
Rows = list[dict[str, Any]]


class Reads:
    """The listing's read, built with Tortoise's query API as a plain handler does."""

    async def page(self, shape: listing.Shape) -> Rows:
        return await listing.build(shape)


class StatementReads(Reads):
    """The same read through the API's compiled statement (same SQL)."""

    async def page(self, shape: listing.Shape) -> Rows:
        return await listing.LISTING.fetch(shape.compiled, *shape.keys)


TORTOISE, STATEMENTS = Reads(), StatementReads()


async def listing_page(counts: CountCache, read: Reads = TORTOISE) -> dict[str, Any]:
    """The listing's ``data`` as the GraphQL API answers it, in one query."""
    shape = SHAPE
    rows = await read.page(shape)
    comparisons: dict[int, dict[str, Any]] = {}
    sides: dict[int, Rows] = {}
    for r in rows:
        if r["id"] not in comparisons:
            comparisons[r["id"]] = r
            sides[r["id"]] = []
        if r["sides__id"] is not None and r[_TOOL + "status"] == Status.PUBLISHED:
            sides[r["id"]].append(r)
    shown = list(comparisons.values())[:PAGE_SIZE]
    for group in sides.values():
        group.sort(key=lambda s: (s["sides__position"], s["sides__id"]))
    edges = []
    for index, c in enumerate(shown):
        group = sides[c["id"]]
        total = sum(s["side_votes"] or 0 for s in group)
        percents = []
        out_sides = []
        for s in group:
            ship, skip = s[_TOOL + "panel__ship"] or 0, s[_TOOL + "panel__skip"] or 0
            percent = ship_percent(ship, ship + skip)
            percents.append(percent)
            out_sides.append(
                {
                    "position": s["sides__position"],
                    "tool": {
                        "slug": s[_TOOL + "slug"],
                        "name": s[_TOOL + "name"],
                        "logoUrl": s[_TOOL + "logo_url"],
                    },
                    "panelShipPercent": percent,
                    "voteShare": vote_share(s["side_votes"] or 0, total),
                }
            )
        verdict = panel_verdict(percents)
        panel = None
        if verdict is not None:
            favoured = None
            if verdict.favoured is not None:
                favoured = {"tool": {"slug": out_sides[verdict.favoured]["tool"]["slug"]}}
            panel = {
                "outcome": "TIE" if favoured is None else "FAVOURS_SIDE",
                "margin": verdict.margin,
                "favouredSide": favoured,
            }
        published = c["published_at"]
        edges.append(
            {
                "cursor": encode_cursor(shape.offset + index),
                "node": {
                    "id": encode_id("Comparison", c["slug"]),
                    "slug": c["slug"],
                    "title": c["title"],
                    "headline": c["headline"],
                    "publishedAt": published.isoformat() if published is not None else None,
                    "voteCount": total,
                    "sides": out_sides,
                    "panelVerdict": panel,
                },
            }
        )
    versions = None
    if rows:
        first = rows[0]
        versions = tuple(
            content_versions.MISSING if v is None else str(v)
            for v in (first[f"version_{i}"] for i in range(len(shape.depends_on)))
        )
    key: Hashable = shape.count_key
    total_count = await counts.count_at(
        key, partial(listing.selected, shape), shape.depends_on, versions
    )
    return {
        "comparisons": {
            "totalCount": total_count,
            "pageInfo": {
                "hasNextPage": len(comparisons) > PAGE_SIZE,
                "hasPreviousPage": shape.offset > 0,
                "startCursor": edges[0]["cursor"] if edges else None,
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
            "edges": edges,
        }
    }
