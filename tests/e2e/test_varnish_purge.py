"""Varnish (deploy/varnish/default.vcl, with xkey) in front of the API: it keeps keyed answers
and drops exactly the ones a sync or a vote changed, when Verdict purges their keys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cms_sync.engine import SyncEngine
from graphql_api.settings import ApiSettings
from graphql_api.votes.voter import VoterSigner
from tests.support.varnish import Stack, varnish_stack
from verdict.settings import DEV_SECRET_KEY, Settings

FIRST = "code-llama-4-vs-mistral-code"  # comparison 1: tools 1 and 2
SECOND = "tessellate-review-vs-lintwise"  # comparison 2: tools 3 and 4, nothing shared
PAGE = """query Page($slug: String!) {
  comparison(slug: $slug) { slug headline sides { tool { slug name } } }
}"""
TALLY = """query Tally($slug: String!) {
  comparison(slug: $slug) { slug voteCount sides { tool { slug } voteCount } }
}"""
CAST = """mutation Cast($input: CastVoteInput!) { castVote(input: $input) { __typename } }"""


@pytest.fixture
async def stack(demo_db: Settings, tmp_path: Path) -> AsyncIterator[Stack]:
    async with varnish_stack(demo_db, tmp_path) as running:
        yield running


async def get(base: str, query: str, slug: str | None) -> httpx.Response:
    params = {"query": query}
    if slug is not None:
        params["variables"] = f'{{"slug": "{slug}"}}'
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.get("/graphql", params=params)
    assert response.status_code == 200, response.text
    return response


def comparison(response: httpx.Response) -> dict[str, Any]:
    data: dict[str, Any] = response.json()["data"]["comparison"]
    return data


async def sync(stack: Stack, *, full: bool = False) -> None:
    await SyncEngine(stack.source).run(full=full)
    await stack.deliverer.drain()


async def test_answers_name_what_they_read(stack: Stack) -> None:
    page = await get(stack.api, PAGE, FIRST)
    keys = page.headers["surrogate-key"].split()
    assert {"comparisons:1", "tools:1", "tools:2"} <= set(keys)
    assert not any(k.startswith("tally") for k in keys)
    assert page.headers["surrogate-control"].startswith("max-age=")
    tally = await get(stack.api, TALLY, FIRST)
    assert f"tally:{FIRST}" in tally.headers["surrogate-key"].split()
    listing = await get(stack.api, "{ comparisons { nodes { slug } } }", None)
    assert "comparisons" in listing.headers["surrogate-key"].split()
    through = await get(stack.varnish, PAGE, FIRST)  # Varnish keeps its keys to itself
    assert not {"surrogate-key", "surrogate-control", "xkey"} & set(through.headers)
    assert through.headers["cache-control"] == "public, no-cache"  # browsers still revalidate


async def test_sync_purges_exactly_the_changed_pages(stack: Stack) -> None:
    for slug in (FIRST, SECOND):
        await get(stack.varnish, PAGE, slug)
        again = await get(stack.varnish, PAGE, slug)
        assert again.headers["x-varnish-cache"] == "hit"
    old = comparison(again)["headline"]

    stack.source.edit("comparisons", 1, headline="Edited through the sync")
    await sync(stack)

    first = await get(stack.varnish, PAGE, FIRST)
    assert comparison(first)["headline"] == "Edited through the sync"
    assert first.headers["x-varnish-cache"] == "miss"
    second = await get(stack.varnish, PAGE, SECOND)
    assert second.headers["x-varnish-cache"] == "hit"  # not purged: it read nothing that changed
    assert comparison(second)["headline"] == old or comparison(second)["slug"] == SECOND


async def test_a_tool_edit_purges_the_comparisons_that_show_it(stack: Stack) -> None:
    await get(stack.varnish, PAGE, FIRST)
    assert (await get(stack.varnish, PAGE, FIRST)).headers["x-varnish-cache"] == "hit"
    stack.source.edit("tools", 2, name="Renamed tool")
    await sync(stack)
    names = [s["tool"]["name"] for s in comparison(await get(stack.varnish, PAGE, FIRST))["sides"]]
    assert "Renamed tool" in names


async def test_a_deletion_purges_the_page(stack: Stack) -> None:
    await get(stack.varnish, PAGE, SECOND)
    assert (await get(stack.varnish, PAGE, SECOND)).headers["x-varnish-cache"] == "hit"
    for side in (3, 4):
        stack.source.delete("comparison_sides", side)
    stack.source.delete("comparisons", 2)
    await sync(stack, full=True)
    assert (await get(stack.varnish, PAGE, SECOND)).json()["data"]["comparison"] is None


async def test_a_vote_purges_the_tally_soon(stack: Stack) -> None:
    await get(stack.varnish, TALLY, FIRST)
    before = await get(stack.varnish, TALLY, FIRST)
    assert before.headers["x-varnish-cache"] == "hit"
    await get(stack.varnish, TALLY, SECOND)
    count = comparison(before)["voteCount"]
    _, token = VoterSigner.from_secret(DEV_SECRET_KEY).issue()
    tool = comparison(before)["sides"][0]["tool"]["slug"]
    async with httpx.AsyncClient(base_url=stack.varnish) as http:
        voted = await http.post(
            "/graphql",
            json={
                "query": CAST,
                "variables": {"input": {"comparisonSlug": FIRST, "toolSlug": tool}},
            },
            headers={"x-verdict-voter": token},
        )
    assert voted.json()["data"]["castVote"]["__typename"] == "VoteSuccess", voted.text
    for _ in range(100):  # the purge follows the vote by the debounce (0.05 s here)
        now = comparison(await get(stack.varnish, TALLY, FIRST))["voteCount"]
        if now == count + 1:
            break
        await asyncio.sleep(0.05)
    assert now == count + 1
    assert (await get(stack.varnish, TALLY, SECOND)).headers["x-varnish-cache"] == "hit"


async def test_with_the_edge_cache_on_a_stale_replay_is_not_kept(
    demo_db: Settings, tmp_path: Path
) -> None:
    api = ApiSettings(edge_cache=True, edge_cache_poll=0.2)
    async with varnish_stack(demo_db, tmp_path, api=api) as stack:
        await get(stack.varnish, PAGE, FIRST)
        assert (await get(stack.varnish, PAGE, FIRST)).headers["x-varnish-cache"] == "hit"
        stack.source.edit("comparisons", 1, headline="Edited behind the edge cache")
        await sync(stack)
        for _ in range(100):  # the edge cache may replay the old page until its next poll
            page = await get(stack.varnish, PAGE, FIRST)
            if comparison(page)["headline"] == "Edited behind the edge cache":
                break
            # ... but Varnish never keeps that replay: it has no shared-cache lifetime.
            assert page.headers["x-varnish-cache"] == "miss"
            await asyncio.sleep(0.05)
        assert comparison(page)["headline"] == "Edited behind the edge cache"
