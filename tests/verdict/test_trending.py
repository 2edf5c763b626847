"""TRENDING on hand-built vote histories: steady beats burst, a stuffed burst does not rank."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.support.clients import api_client
from tests.support.vote_history import add_votes
from verdict.settings import Settings
from verdict.trending import VoteEvent, scores

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
OLD_VOTER = timedelta(days=30)


def history(
    slug: str,
    n: int,
    *,
    ago: timedelta,
    every: timedelta,
    prefix: str = "",
    minted_before: timedelta = OLD_VOTER,
) -> list[VoteEvent]:
    events = []
    for i in range(n):
        at = NOW - ago + every * i
        network = prefix or f"198.51.{i % 250}.0/24"
        events.append(VoteEvent(slug, at, network, at - minted_before, "minted"))
    return events


def test_a_steady_climber_beats_a_burst_of_more_votes() -> None:
    steady = history("steady", 30, ago=timedelta(hours=6), every=timedelta(minutes=12))
    burst = history("burst", 60, ago=timedelta(hours=1), every=timedelta(seconds=1))
    ranked = scores([*steady, *burst], NOW)
    assert ranked["steady"] > ranked["burst"]
    # Without the burst damping the burst would have won: the test can fail.
    assert len(burst) > len(steady)


def test_a_stuffed_burst_does_not_rank() -> None:
    honest = history("honest", 5, ago=timedelta(hours=3), every=timedelta(minutes=30))
    stuffed = history(
        "stuffed",
        400,
        ago=timedelta(minutes=30),
        every=timedelta(milliseconds=500),
        prefix="203.0.113.0/24",
        minted_before=timedelta(seconds=5),
    )
    ranked = scores([*honest, *stuffed], NOW)
    assert ranked["honest"] > 1
    assert "stuffed" not in ranked  # under the floor: 400 bought votes do not rank at all


def test_votes_decay_with_age_and_leave_the_window() -> None:
    every = timedelta(minutes=5)
    fresh = history("fresh", 40, ago=timedelta(hours=4), every=every)
    stale = history("stale", 40, ago=timedelta(hours=52), every=every)
    gone = history("gone", 50, ago=timedelta(days=8), every=every)
    ranked = scores([*fresh, *stale, *gone], NOW)
    assert ranked["fresh"] > 10 * ranked["stale"] > 0  # two days older: 2^-4 of the weight
    assert "gone" not in ranked
    # Voters minted minutes before their vote weigh a twentieth of long-standing ones.
    new_voters = history("new", 40, ago=timedelta(hours=4), every=every, minted_before=every)
    assert scores(new_voters, NOW)["new"] < ranked["fresh"] / 10


LISTING = "{ comparisons(orderBy: TRENDING, first: 5) { nodes { slug } } }"


async def _listing(http: httpx.AsyncClient) -> list[str]:
    response = await http.post("/graphql", json={"query": LISTING})
    body = response.json()
    assert "errors" not in body, body
    return [n["slug"] for n in body["data"]["comparisons"]["nodes"]]


async def _newest(http_settings: Settings) -> list[str]:
    async with api_client(http_settings) as http:
        response = await http.post(
            "/graphql", json={"query": "{ comparisons(first: 100) { nodes { slug } } }"}
        )
    return [n["slug"] for n in response.json()["data"]["comparisons"]["nodes"]]


async def test_the_listing_orders_by_trending(demo_db: Settings) -> None:
    now = datetime.now(UTC)
    steady, burst, stuffed = (
        "tessellate-review-vs-lintwise",
        "forge-coder-vs-stackline-coder-2",
        "cadence-write-vs-quillmate",
    )
    await add_votes(
        steady, "lintwise", 20, start=now - timedelta(hours=5), every=timedelta(minutes=15)
    )
    await add_votes(
        burst, "forge-coder", 40, start=now - timedelta(hours=1), every=timedelta(seconds=1)
    )
    await add_votes(
        stuffed,
        "quillmate",
        300,
        start=now - timedelta(minutes=20),
        every=timedelta(milliseconds=200),
        prefix="203.0.113.0/24",
        minted_before=timedelta(seconds=3),
    )
    async with api_client(demo_db) as http:
        slugs = await _listing(http)
    assert slugs[:2] == [steady, burst]
    # The stuffed one does not rank: it sits among those without votes, newest first.
    newest = await _newest(http_settings=demo_db)
    unranked = [s for s in newest if s not in (steady, burst)]
    assert slugs[2:] == unranked[: len(slugs) - 2]
    assert stuffed in newest
