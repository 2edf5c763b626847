"""A change that commits while a page is read is never skipped, even when a later one commits
first (PostgreSQL hands out positions out of commit order; see verdict.feed_log).

The sync's own changes take turns (each bumps the content versions' ``*`` row), but votes do
not wait for the sync: a vote on another comparison commits while a sync change is still open.
"""

from __future__ import annotations

import asyncio

from tortoise.transactions import in_transaction

from graphql_api.votes.voter import VoterSigner
from tests.support.clients import api_client
from tests.support.cms_model import MemoryCms
from tests.support.databases import Backend
from tests.support.feed_client import OfflineCopy, post, served
from verdict.settings import DEV_SECRET_KEY, Settings

CAST = "mutation C($input: CastVoteInput!) { castVote(input: $input) { __typename } }"


async def test_a_change_held_open_across_a_read_still_arrives(
    db: Settings, backend: Backend
) -> None:
    cms = MemoryCms()
    await cms.put_comparison(1, (1, 2))
    await cms.put_comparison(2, (3, 4))
    signer = VoterSigner.from_secret(DEV_SECRET_KEY)

    async with api_client(db) as http:

        async def vote(comparison: str, tool: str) -> None:
            variables = {"input": {"comparisonSlug": comparison, "toolSlug": tool}}
            data = await post(http, CAST, variables, {"x-verdict-voter": signer.issue()[1]})
            assert data["castVote"]["__typename"] == "VoteSuccess"

        await vote("comparison-1", "tool-2")
        await cms.put_comparison(1, (1, 3))  # tool-2's vote no longer shows
        copy = OfflineCopy(first=2)
        await copy.catch_up(http)
        applied, release = asyncio.Event(), asyncio.Event()

        async def held() -> None:
            async with in_transaction():
                await cms.put_comparison(1, (1, 2))  # tool-2 and its vote are back
                applied.set()
                await release.wait()

        if backend.name == "postgres":
            task = asyncio.create_task(held())
            await applied.wait()
            await vote("comparison-2", "tool-3")  # positioned after the held change, committed
            await copy.catch_up(http)
            release.set()
            await task
        else:  # one writer at a time: the change, the vote and the read interleave instead
            release.set()
            await asyncio.gather(held(), vote("comparison-2", "tool-3"), copy.catch_up(http))
        await copy.catch_up(http)
        want = await served(http)
        assert want.comparisons["comparison-1"][2] == (0, 1)
        assert copy.state() == want
