"""Exact tallies under concurrency: distinct voters, identical retries, moving votes, recount."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

from tests.support.databases import Backend
from tests.support.votes import LEFT, RIGHT, SEED, AppFactory, cast, counts, new_voter, tokens
from verdict.models.votes import Vote, VoteRequestRecord, VoteTally
from verdict.tallies import recount

T = TypeVar("T")


async def bounded(limit: int, jobs: list[Awaitable[T]]) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def run(job: Awaitable[T]) -> T:
        async with gate:
            return await job

    return await asyncio.gather(*(run(j) for j in jobs))


async def tallies() -> dict[str, int]:
    rows = await VoteTally.filter(comparison_slug=SEED).values_list("tool_slug", "count")
    return {str(t): int(n) for t, n in rows}


async def vote_rows() -> dict[str, int]:
    slugs: list[Any] = await Vote.filter(comparison_slug=SEED).values_list("tool_slug", flat=True)
    return {tool: slugs.count(tool) for tool in set(map(str, slugs))}


async def test_2000_concurrent_voters_are_all_counted(
    vote_client: AppFactory, backend: Backend
) -> None:
    http = await vote_client()
    voters = tokens(2000)
    results = await bounded(
        64, [cast(http, v, LEFT if i % 3 else RIGHT) for i, v in enumerate(voters)]
    )
    assert {r["__typename"] for r in results} == {"VoteSuccess"}
    assert await tallies() == await vote_rows()
    assert sum((await tallies()).values()) == 2000
    assert await Vote.filter(comparison_slug=SEED).count() == 2000
    assert (await recount(fix=False)).differences == []


async def test_100_identical_retries_count_once(vote_client: AppFactory) -> None:
    http = await vote_client()
    voter = await new_voter(http)
    results = await asyncio.gather(*(cast(http, voter, LEFT, key="retry-1") for _ in range(100)))
    assert all(r == results[0] for r in results)
    assert results[0]["__typename"] == "VoteSuccess"
    assert counts(results[0]) == {LEFT: 1, RIGHT: 0}
    assert await tallies() == {LEFT: 1}
    assert await Vote.filter(comparison_slug=SEED).count() == 1
    assert await VoteRequestRecord.filter(key="retry-1").count() == 1


async def test_concurrent_moves_and_retractions_keep_totals_right(
    vote_client: AppFactory,
) -> None:
    http = await vote_client()
    voters = tokens(120)
    await bounded(32, [cast(http, v, LEFT) for v in voters])
    retract = "mutation R($s: String!) { retractVote(input: {comparisonSlug: $s}) { __typename } }"

    async def churn(i: int, voter: str) -> Any:
        # Each voter flips sides several times at once; a third also retract in the middle.
        jobs: list[Awaitable[object]] = [
            cast(http, voter, RIGHT),
            cast(http, voter, LEFT),
            cast(http, voter, RIGHT),
        ]
        if i % 3 == 0:
            jobs.append(
                http.post(
                    "/graphql",
                    json={"query": retract, "variables": {"s": SEED}},
                    headers={"x-verdict-voter": voter},
                )
            )
        return await asyncio.gather(*jobs)

    await bounded(16, [churn(i, v) for i, v in enumerate(voters)])
    rows = await vote_rows()
    assert {k: v for k, v in (await tallies()).items() if v} == rows
    assert sum(rows.values()) == await Vote.filter(comparison_slug=SEED).count()
    assert 80 <= sum(rows.values()) <= 120
    assert (await recount(fix=False)).differences == []


async def test_recount_reports_and_repairs_drift(vote_client: AppFactory) -> None:
    http = await vote_client()
    for tool in (LEFT, LEFT, RIGHT):
        await cast(http, await new_voter(http), tool)
    await VoteTally.filter(comparison_slug=SEED, tool_slug=LEFT).update(count=7)
    await VoteTally.filter(comparison_slug=SEED, tool_slug=RIGHT).delete()
    report = await recount(fix=False)
    assert {(d.tool_slug, d.stored, d.counted) for d in report.differences} == {
        (LEFT, 7, 2),
        (RIGHT, 0, 1),
    }
    assert await tallies() == {LEFT: 7}  # a dry run changes nothing
    await recount(fix=True)
    assert await tallies() == {LEFT: 2, RIGHT: 1}
    assert (await recount(fix=False)).differences == []
