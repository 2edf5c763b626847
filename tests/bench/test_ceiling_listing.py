"""The listing's ceilings (bench.ceiling_listing) answer the GraphQL listing's JSON exactly, so
the harness compares the API with handlers doing the same work (the harness checks it again on
every dataset before measuring, bench.probes)."""

from __future__ import annotations

import json

import httpx

from bench import ceiling_listing
from graphql_api.relay.counts import CountCache
from tests.support.queries import COMPARISON_LISTING, graphql
from verdict.models.votes import VoteTally


async def test_both_listing_ceilings_answer_the_api_listing(client: httpx.AsyncClient) -> None:
    await VoteTally.create(
        comparison_slug="mistral-code-vs-forge-coder", tool_slug="mistral-code", count=3
    )
    api = await graphql(client, COMPARISON_LISTING, {"first": ceiling_listing.PAGE_SIZE})
    assert api["comparisons"]["edges"]
    counts = CountCache()
    for reads in (ceiling_listing.TORTOISE, ceiling_listing.STATEMENTS):
        for _ in range(2):  # counted, then from the cache
            answer = await ceiling_listing.listing_page(counts, reads)
            assert json.loads(json.dumps(answer)) == api
