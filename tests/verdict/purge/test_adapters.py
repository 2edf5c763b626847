"""The Fastly and Cloudflare purgers against local stand-ins of their APIs (tests/support/
cdn_standins.py, in the documented request and answer shapes), and the API's headers and vote
purges with each."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from cms_sync.engine import SyncEngine
from devtools.editable_source import EditableExport
from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from graphql_api.votes.voter import VoterSigner
from tests.support.cdn_standins import (
    SERVICE_ID,
    TOKEN,
    ZONE_ID,
    Recorded,
    cloudflare_app,
    fastly_app,
    standin,
)
from verdict.models.outbox import PurgeRequest
from verdict.purge.adapters import CloudflarePurger, FastlyPurger, PurgeError, purger_for
from verdict.purge.outbox import discard_purges, drain_purges
from verdict.purge.settings import Backend, PurgeSettings
from verdict.settings import DEV_SECRET_KEY, PROJECT_ROOT, Settings

FIRST = "code-llama-4-vs-mistral-code"


@pytest.fixture
async def fastly() -> AsyncIterator[Recorded]:
    state = Recorded()
    async with standin(fastly_app(state), state):
        yield state


@pytest.fixture
async def cloudflare() -> AsyncIterator[Recorded]:
    state = Recorded()
    async with standin(cloudflare_app(state), state):
        yield state


def fastly_settings(base: str, token: str = TOKEN) -> PurgeSettings:
    return PurgeSettings(
        backend=Backend.FASTLY,
        fastly_api_url=base,
        fastly_service_id=SERVICE_ID,
        fastly_api_token=token,
        vote_debounce=0.05,
        repeat_after=0.2,
    )


def cloudflare_settings(base: str, token: str = TOKEN) -> PurgeSettings:
    return PurgeSettings(
        backend=Backend.CLOUDFLARE,
        cloudflare_api_url=base,
        cloudflare_zone_id=ZONE_ID,
        cloudflare_api_token=token,
        vote_debounce=0.05,
        repeat_after=0.2,
    )


async def test_fastly_purges_in_batches_of_256(fastly: Recorded) -> None:
    purger = FastlyPurger(fastly.base, SERVICE_ID, TOKEN)
    keys = [f"tools:{i}" for i in range(300)]
    try:
        await purger.purge(keys)
    finally:
        await purger.close()
    assert [len(batch) for batch in fastly.purged] == [256, 44]
    assert sorted(k for batch in fastly.purged for k in batch) == sorted(keys)


async def test_fastly_refusals_are_purge_errors(fastly: Recorded) -> None:
    wrong = FastlyPurger(fastly.base, SERVICE_ID, "wrong")
    with pytest.raises(PurgeError, match="HTTP 401"):
        await wrong.purge(["tools:1"])
    await wrong.close()
    fastly.fail_next = 1
    purger = FastlyPurger(fastly.base, SERVICE_ID, TOKEN)
    with pytest.raises(PurgeError, match="HTTP 503"):
        await purger.purge(["tools:1"])
    await purger.close()
    assert not fastly.purged


async def test_cloudflare_purges_tags_in_batches_of_30(cloudflare: Recorded) -> None:
    purger = CloudflarePurger(cloudflare.base, ZONE_ID, TOKEN)
    try:
        await purger.purge([f"comparisons:{i}" for i in range(70)])
    finally:
        await purger.close()
    assert [len(batch) for batch in cloudflare.purged] == [30, 30, 10]


async def test_cloudflare_refusals_name_the_error(cloudflare: Recorded) -> None:
    purger = CloudflarePurger(cloudflare.base, ZONE_ID, "wrong")
    with pytest.raises(PurgeError, match="HTTP 403"):
        await purger.purge(["tools:1"])
    await purger.close()


async def test_a_failed_purge_stays_queued_and_goes_on_retry(
    demo_db: Settings, fastly: Recorded
) -> None:
    await discard_purges()
    source = EditableExport(PROJECT_ROOT / "content" / "sample")
    source.edit("comparisons", 1, headline="Purged through Fastly")
    await SyncEngine(source).run()
    purger = purger_for(fastly_settings(fastly.base))
    assert purger is not None
    try:
        fastly.fail_next = 1
        assert await drain_purges(purger) == 0
        queued = await PurgeRequest.get()
        assert queued.attempts == 1
        assert queued.last_error == "Fastly purge answered HTTP 503"
        await PurgeRequest.filter(id=queued.id).update(due_at=queued.created_at)
        assert await drain_purges(purger, repeat_after=0.2) == 1
        # Purged, and due once more a little later (a fetch in flight across the commit).
        assert await drain_purges(purger, repeat_after=0.2) == 0
        assert (await PurgeRequest.get()).sent == 1
        await asyncio.sleep(0.25)
        assert await drain_purges(purger, repeat_after=0.2) == 1
    finally:
        await purger.close()
    assert fastly.purged == [["comparisons", "comparisons:1", "tools:1", "tools:2"]] * 2
    assert await PurgeRequest.all().count() == 0


@pytest.mark.parametrize("cdn", ["fastly", "cloudflare"])
async def test_the_api_keys_answers_and_purges_tallies_after_votes(
    demo_db: Settings, fastly: Recorded, cloudflare: Recorded, cdn: str
) -> None:
    recorded = fastly if cdn == "fastly" else cloudflare
    purge = (
        fastly_settings(fastly.base) if cdn == "fastly" else cloudflare_settings(cloudflare.base)
    )
    app = create_app(demo_db, api=ApiSettings(), manage_database=False, purge=purge)
    query = f'{{ comparison(slug: "{FIRST}") {{ voteCount sides {{ tool {{ slug }} }} }} }}'
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://verdict.test"
        ) as http:
            page = await http.get("/graphql", params={"query": query})
            if cdn == "fastly":
                keys = page.headers["surrogate-key"].split(" ")
                assert page.headers["surrogate-control"] == "max-age=86400"
            else:
                keys = page.headers["cache-tag"].split(",")
                assert page.headers["cdn-cache-control"] == "max-age=86400"
                assert "surrogate-key" not in page.headers
            assert {"comparisons:1", f"tally:{FIRST}"} <= set(keys)
            tool = page.json()["data"]["comparison"]["sides"][0]["tool"]["slug"]
            _, token = VoterSigner.from_secret(DEV_SECRET_KEY).issue()
            cast = "mutation($i: CastVoteInput!) { castVote(input: $i) { __typename } }"
            for _ in range(3):  # a burst: one purge
                _, token = VoterSigner.from_secret(DEV_SECRET_KEY).issue()
                voted = await http.post(
                    "/graphql",
                    json={
                        "query": cast,
                        "variables": {"i": {"comparisonSlug": FIRST, "toolSlug": tool}},
                    },
                    headers={"x-verdict-voter": token},
                )
                assert voted.json()["data"]["castVote"]["__typename"] == "VoteSuccess"
            for _ in range(200):
                if len(recorded.purged) >= 2:
                    break
                await asyncio.sleep(0.02)
    finally:
        await app.state.voting.stop()
    # The tally keys only, purged and purged again (how many times depends on how the votes
    # fell into debounce windows: see tests/graphql_api/votes/test_purges.py).
    assert len(recorded.purged) >= 2
    assert all(batch == sorted([f"tally:{FIRST}", "tallies"]) for batch in recorded.purged)
