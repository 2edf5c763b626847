"""Automatic persisted queries over POST and GET, with ETags and 304s."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest

from tests.support.clients import AppClient
from tests.support.services import require_redis

QUERY = "query ToolName($slug: String!) { tool(slug: $slug) { name vendor } }"
SHA = hashlib.sha256(QUERY.encode()).hexdigest()
VARIABLES = {"slug": "code-llama-4"}
PERSISTED = {"persistedQuery": {"version": 1, "sha256Hash": SHA}}


def _get_params() -> dict[str, str]:
    return {"extensions": json.dumps(PERSISTED), "variables": json.dumps(VARIABLES)}


async def _apq_round_trip(http: httpx.AsyncClient) -> None:
    missing = await http.post("/graphql", json={"extensions": PERSISTED, "variables": VARIABLES})
    assert missing.status_code == 200
    assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert missing.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    mismatch = await http.post(
        "/graphql",
        json={"query": QUERY + " ", "extensions": PERSISTED, "variables": VARIABLES},
    )
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"

    registered = await http.post(
        "/graphql", json={"query": QUERY, "extensions": PERSISTED, "variables": VARIABLES}
    )
    expected = {"tool": {"name": "Code Llama 4", "vendor": "Meta"}}
    assert registered.json()["data"] == expected

    by_hash = await http.post("/graphql", json={"extensions": PERSISTED, "variables": VARIABLES})
    assert by_hash.json()["data"] == expected

    first = await http.get("/graphql", params=_get_params())
    assert first.status_code == 200
    assert first.json()["data"] == expected
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, no-cache"
    assert "set-cookie" not in first.headers

    again = await http.get("/graphql", params=_get_params(), headers={"if-none-match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag

    other = await http.get(
        "/graphql",
        params={**_get_params(), "variables": json.dumps({"slug": "mistral-code"})},
        headers={"if-none-match": tag},
    )
    assert other.status_code == 200
    assert other.headers["etag"] != tag


async def test_apq_over_post_and_get_with_304(app_client: AppClient) -> None:
    async with app_client() as http:
        await _apq_round_trip(http)


@pytest.mark.redis
async def test_apq_shared_through_redis(app_client: AppClient) -> None:
    url = require_redis()
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    await redis.delete(f"verdict:apq:{SHA}")
    await redis.aclose()
    async with (
        app_client(settings={"redis_url": url}) as one,
        app_client(settings={"redis_url": url}) as two,
    ):
        missing = await two.post("/graphql", json={"extensions": PERSISTED, "variables": VARIABLES})
        assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
        await one.post(
            "/graphql", json={"query": QUERY, "extensions": PERSISTED, "variables": VARIABLES}
        )
        # Registered on one replica, known to the other.
        found = await two.post("/graphql", json={"extensions": PERSISTED, "variables": VARIABLES})
        assert found.json()["data"]["tool"]["name"] == "Code Llama 4"


async def test_etag_follows_tallies_and_voter_specific_answers_are_private(
    app_client: AppClient,
) -> None:
    query = '{ comparison(slug: "code-llama-4-vs-mistral-code") { sides { voteCount } } }'
    async with app_client() as http:
        first = await http.get("/graphql", params={"query": query})
        assert first.headers["cache-control"] == "public, no-cache"
        tag = first.headers["etag"]
        unchanged = await http.get(
            "/graphql", params={"query": query}, headers={"if-none-match": tag}
        )
        assert unchanged.status_code == 304
        voter = (await http.post("/voter")).headers["x-verdict-voter"]  # the mobile way
        http.cookies.clear()
        vote = await http.post(
            "/graphql",
            json={
                "query": "mutation V($i: CastVoteInput!) { castVote(input: $i) { __typename } }",
                "variables": {
                    "i": {
                        "comparisonSlug": "code-llama-4-vs-mistral-code",
                        "toolSlug": "code-llama-4",
                        "idempotencyKey": "k1",
                    }
                },
            },
            headers={"x-verdict-voter": voter},
        )
        assert vote.json()["data"]["castVote"]["__typename"] == "VoteSuccess"
        changed = await http.get(
            "/graphql", params={"query": query}, headers={"if-none-match": tag}
        )
        assert changed.status_code == 200
        assert changed.headers["etag"] != tag

        mine = await http.get(
            "/graphql",
            params={"query": '{ comparison(slug: "code-llama-4-vs-mistral-code") { myVote } }'},
            headers={"x-verdict-voter": voter},
        )
        assert mine.json()["data"]["comparison"]["myVote"] == "code-llama-4"
        assert mine.headers["cache-control"] == "private, no-cache"
        assert "Cookie" in mine.headers["vary"]
