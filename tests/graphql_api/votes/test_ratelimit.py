"""Rate limits per voter and per client IP: they trigger, release, and (with Redis) are shared."""

from __future__ import annotations

import asyncio

from tests.support.votes import LEFT, RIGHT, AppFactory, cast, tokens, unique_ip


async def _limited_then_released(vote_client: AppFactory, **settings: object) -> None:
    http = await vote_client(vote_limit_per_voter=3, vote_limit_window_seconds=1, **settings)
    (voter,) = tokens(1)
    results = [await cast(http, voter, tool) for tool in (LEFT, RIGHT, LEFT)]
    assert [r["__typename"] for r in results] == ["VoteSuccess"] * 3
    limited = await cast(http, voter, RIGHT)
    assert limited["__typename"] == "RateLimited"
    assert limited["retryAfterSeconds"] >= 1
    # A retry of a finished request is answered from the store, not limited.
    first = await cast(http, voter, LEFT, key="before")  # limited: nothing stored
    assert first["__typename"] == "RateLimited"
    await asyncio.sleep(limited["retryAfterSeconds"] + 0.1)
    released = await cast(http, voter, RIGHT, key="after")
    assert released["__typename"] == "VoteSuccess"
    assert released["myVote"] == RIGHT


async def test_voter_limit_in_process(vote_client: AppFactory) -> None:
    await _limited_then_released(vote_client)


async def test_voter_limit_in_redis(vote_client: AppFactory, redis_url: str) -> None:
    await _limited_then_released(vote_client, redis_url=redis_url)


async def test_ip_limit_counts_all_voters_from_one_address(vote_client: AppFactory) -> None:
    http = await vote_client(vote_limit_per_ip=5, vote_limit_window_seconds=60)
    results = [await cast(http, voter, LEFT) for voter in tokens(6)]
    assert [r["__typename"] for r in results] == ["VoteSuccess"] * 5 + ["RateLimited"]
    other_address = await vote_client(vote_limit_per_ip=5, vote_limit_window_seconds=60)
    assert (await cast(other_address, tokens(1)[0], LEFT))["__typename"] == "VoteSuccess"


async def test_redis_limits_are_shared_between_replicas(
    vote_client: AppFactory, redis_url: str
) -> None:
    ip = unique_ip()
    limits = {"vote_limit_per_ip": 4, "vote_limit_window_seconds": 60, "redis_url": redis_url}
    one, two = await vote_client(ip=ip, **limits), await vote_client(ip=ip, **limits)
    voters = tokens(5)
    results = [
        await cast(app, v, LEFT) for app, v in zip([one, two, one, two, one], voters, strict=True)
    ]
    assert [r["__typename"] for r in results] == ["VoteSuccess"] * 4 + ["RateLimited"]
