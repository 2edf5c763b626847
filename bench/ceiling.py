"""The ceilings the API is measured against, as one small ASGI app (not part of the product).

* ``GET /page/{slug}``: the no-GraphQL ceiling. A plain Starlette handler doing the same reads
  with Tortoise as the API's loaders (the comparison joined with its sides and tools, the
  reviews joined with their reviewers, the vote tallies: three queries), computing the same
  figures with ``verdict.figures`` and answering the same JSON as the GraphQL comparison page.
* ``GET /page-statements/{slug}``: the same handler reading through the API's compiled
  statements (``graphql_api.engine.statements``) instead of building each query with Tortoise.
  The API reads that way and a plain handler does not, so the page can beat the ceiling above; this
  one shows what GraphQL itself costs over the same reads (reported, not a target).
* ``GET /listing`` and ``GET /listing-statements``: the same two for the 20-item comparison
  listing (``bench.ceiling_listing``).
* ``GET /static``: the HTTP ceiling, one comparison page's JSON held in memory.

Served like the API: ``python -m bench.ceiling --port P --server S --workers N``, with the
database from ``DATABASE_URL`` and the same pool settings (``verdict.db.database``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import ceiling_listing
from graphql_api import reads
from graphql_api.relay.counts import CountCache
from graphql_api.relay.node import encode_id
from graphql_api.rows import COMPARISON_FIELDS, LENS_ORDER, REVIEW_FIELDS, REVIEWER_FIELDS
from graphql_api.rows import TOOL_FIELDS as TOOL_COLUMNS
from verdict.db import database
from verdict.figures import panel_counts, panel_verdict, ship_percent, vote_share
from verdict.models.content import Comparison, Review, Status
from verdict.models.votes import VoteTally
from verdict.settings import Settings
from verdict_cli.serving import FreezeAfterStartup, run

PUBLISHED = Status.PUBLISHED
_SIDE = (
    "sides__id",
    "sides__position",
    "sides__tool__status",
    *tuple(f"sides__tool__{f}" for f in TOOL_COLUMNS),
)
_REVIEWER = tuple(f"reviewer__{f}" for f in REVIEWER_FIELDS)


def _enum(value: Any) -> str:
    return str(getattr(value, "value", value)).upper()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _tool(r: dict[str, Any]) -> dict[str, Any]:
    p = "sides__tool__"
    return {
        "id": encode_id("Tool", r[p + "slug"]),
        "slug": r[p + "slug"],
        "name": r[p + "name"],
        "vendor": r[p + "vendor"],
        "tagline": r[p + "tagline"],
        "category": r[p + "category"],
        "pricingEntry": r[p + "pricing_entry"],
        "license": r[p + "license"],
        "openWeights": bool(r[p + "open_weights"]),
        "modelSizes": [str(s) for s in r[p + "model_sizes"] or ()],
        "website": r[p + "website"],
        "logoUrl": r[p + "logo_url"],
    }


def _panel_order(review: dict[str, Any]) -> tuple[int, str, int]:
    lens = str(getattr(review["reviewer__lens"], "value", review["reviewer__lens"]))
    return (LENS_ORDER.index(lens), review["reviewer__name"], review["reviewer__id"])


Rows = list[dict[str, Any]]


class _Reads:
    """The page's three reads, each built with Tortoise's query API as a plain handler does."""

    async def comparison(self, slug: str) -> Rows:
        return await Comparison.filter(slug__in=[slug], status=PUBLISHED).values(
            *COMPARISON_FIELDS, *_SIDE
        )

    async def reviews(self, tool_ids: list[int]) -> Rows:
        return await Review.filter(
            tool_id__in=tool_ids, status=PUBLISHED, reviewer__status=PUBLISHED
        ).values(*REVIEW_FIELDS, *_REVIEWER)

    async def tallies(self, slug: str) -> Rows:
        return await VoteTally.filter(comparison_slug__in=[slug]).values("tool_slug", "count")


class _StatementReads(_Reads):
    """The same reads through the statements the API's loaders use (same SQL, bound keys)."""

    async def comparison(self, slug: str) -> Rows:
        return await reads.COMPARISONS_BY_SLUG.fetch(reads.PUBLIC, [slug])

    async def reviews(self, tool_ids: list[int]) -> Rows:
        return await reads.REVIEWS_BY_TOOL.fetch(reads.PUBLIC, tool_ids)

    async def tallies(self, slug: str) -> Rows:
        return await reads.TALLIES_BY_COMPARISON.fetch(None, [slug])


TORTOISE, STATEMENTS = _Reads(), _StatementReads()


async def comparison_page(slug: str, reads: _Reads = TORTOISE) -> dict[str, Any] | None:
    """The comparison page's ``data`` as the GraphQL API answers it, in three queries."""
    rows = await reads.comparison(slug)
    if not rows:
        return None
    c = rows[0]
    sides = sorted(
        (r for r in rows if r["sides__id"] is not None and r["sides__tool__status"] == PUBLISHED),
        key=lambda r: (r["sides__position"], r["sides__id"]),
    )
    tool_ids = [s["sides__tool__id"] for s in sides]
    reviews = await reads.reviews(tool_ids)
    tallies = {t["tool_slug"]: int(t["count"]) for t in await reads.tallies(slug)}
    by_tool: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for review in reviews:
        by_tool[review["tool_id"]].append(review)
    for group in by_tool.values():
        group.sort(key=_panel_order)
    slugs = [s["sides__tool__slug"] for s in sides]
    total_votes = sum(tallies.get(s, 0) for s in slugs)
    out_sides, percents = [], []
    for side in sides:
        tool_reviews = by_tool.get(side["sides__tool__id"], [])
        ship, skip = panel_counts(_enum(r["verdict"]).lower() for r in tool_reviews)
        percent = ship_percent(ship, ship + skip)
        percents.append(percent)
        votes = tallies.get(side["sides__tool__slug"], 0)
        out_sides.append(
            {
                "position": side["sides__position"],
                "pricingEntry": side["sides__tool__pricing_entry"],
                "tool": _tool(side),
                "panelShipCount": ship,
                "panelSkipCount": skip,
                "panelShipPercent": percent,
                "voteCount": votes,
                "voteShare": vote_share(votes, total_votes),
                "reviews": [
                    {
                        "verdict": _enum(r["verdict"]),
                        "quote": r["quote"],
                        "publishedAt": _iso(r["published_at"]),
                        "reviewer": {
                            "slug": r["reviewer__slug"],
                            "name": r["reviewer__name"],
                            "lens": _enum(r["reviewer__lens"]),
                        },
                    }
                    for r in tool_reviews
                ],
            }
        )
    verdict = panel_verdict(percents)
    panel = None
    if verdict is not None:
        favoured = None
        if verdict.favoured is not None:
            side = out_sides[verdict.favoured]
            favoured = {"position": side["position"], "tool": {"slug": side["tool"]["slug"]}}
        panel = {
            "outcome": "TIE" if favoured is None else "FAVOURS_SIDE",
            "margin": verdict.margin,
            "favouredSide": favoured,
        }
    split: dict[int, list[dict[str, Any] | None]] = {}
    first: dict[int, dict[str, Any]] = {}
    for index, side in enumerate(sides):
        for review in by_tool.get(side["sides__tool__id"], []):
            row = split.setdefault(review["reviewer_id"], [None] * len(sides))
            row[index] = review
            first.setdefault(review["reviewer_id"], review)
    reviewer_split = [
        {
            "reviewer": {
                "slug": first[rid]["reviewer__slug"],
                "name": first[rid]["reviewer__name"],
                "lens": _enum(first[rid]["reviewer__lens"]),
            },
            "sides": [
                {
                    "position": side["sides__position"],
                    "tool": {"slug": side["sides__tool__slug"]},
                    "verdict": _enum(review["verdict"]) if review else None,
                    "quote": review["quote"] if review else None,
                }
                for side, review in zip(sides, split[rid], strict=True)
            ],
        }
        for rid in sorted(split, key=lambda rid: _panel_order(first[rid]))
    ]
    return {
        "comparison": {
            "id": encode_id("Comparison", c["slug"]),
            "slug": c["slug"],
            "title": c["title"],
            "headline": c["headline"],
            "summary": c["summary"],
            "pricingRead": c["pricing_read"],
            "votingOpen": bool(c["voting_open"]),
            "publishedAt": _iso(c["published_at"]),
            "updatedAt": _iso(c["cms_updated_at"]),
            "voteCount": total_votes,
            "sides": out_sides,
            "panelVerdict": panel,
            "reviewerSplit": reviewer_split,
        }
    }


def _json(body: object) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


async def page(request: Request) -> Response:
    return _json({"data": await comparison_page(request.path_params["slug"])})


async def page_on_statements(request: Request) -> Response:
    return _json({"data": await comparison_page(request.path_params["slug"], STATEMENTS)})


def create_app() -> Starlette:
    """The ceiling app; ``VERDICT_BENCH_STATIC_SLUG`` names the page ``/static`` holds."""
    settings = Settings.from_env()
    static: dict[str, bytes] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with database(settings):
            slug = os.environ.get("VERDICT_BENCH_STATIC_SLUG", "cmp-1")
            static["body"] = orjson.dumps({"data": await comparison_page(slug)})
            yield

    async def static_page(_: Request) -> Response:
        return Response(static["body"], media_type="application/json")

    counts = CountCache()  # the listing's totalCount, cached as the API caches it

    async def listing(_: Request) -> Response:
        return _json({"data": await ceiling_listing.listing_page(counts)})

    async def listing_on_statements(_: Request) -> Response:
        data = await ceiling_listing.listing_page(counts, ceiling_listing.STATEMENTS)
        return _json({"data": data})

    return Starlette(
        routes=[
            Route("/page/{slug}", page),
            Route("/page-statements/{slug}", page_on_statements),
            Route("/listing", listing),
            Route("/listing-statements", listing_on_statements),
            Route("/static", static_page),
        ],
        lifespan=lifespan,
    )


def app_from_env() -> FreezeAfterStartup:
    """Served like the API: the same start-up freeze and collector thresholds."""
    return FreezeAfterStartup(create_app(), Settings.from_env().gc_threshold)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the benchmark's ceiling endpoints.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server", default="uvicorn")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    run(
        "bench.ceiling:app_from_env",
        host="127.0.0.1",
        port=args.port,
        server=args.server,
        workers=args.workers,
    )
