"""Live tallies over graphql-transport-ws, across two real API processes sharing Redis."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from tests.support.servers import serve
from tests.support.votes import CAST, LEFT, RIGHT, SEED, tokens
from verdict.settings import Settings

SUBSCRIBE = """
subscription Live($slug: String!) {
  voteTally(comparisonSlug: $slug) {
    __typename
    ... on ComparisonTally { totalVotes sides { toolSlug voteCount } }
  }
}
"""


async def _open(http: aiohttp.ClientSession, base: str) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(
        f"{base.replace('http', 'ws', 1)}/graphql", protocols=["graphql-transport-ws"]
    )
    await ws.send_json({"type": "connection_init"})
    assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
    return ws


async def _next(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message: dict[str, Any] = await ws.receive_json(timeout=15)
    return message


async def _vote(http: aiohttp.ClientSession, base: str, voter: str, tool: str) -> dict[str, Any]:
    variables = {"input": {"comparisonSlug": SEED, "toolSlug": tool}}
    async with http.post(
        f"{base}/graphql",
        json={"query": CAST, "variables": variables},
        headers={"x-verdict-voter": voter},
    ) as response:
        body: dict[str, Any] = await response.json()
    assert body.get("data"), body
    result: dict[str, Any] = body["data"]["castVote"]
    return result


async def test_vote_on_one_replica_reaches_subscriber_on_another(
    demo_db: Settings, redis_url: str
) -> None:
    env = {"REDIS_URL": redis_url, "VERDICT_MAX_SUBSCRIPTIONS": "2"}
    async with (
        serve(demo_db.database_url, **env) as one,
        serve(demo_db.database_url, **env) as two,
        aiohttp.ClientSession() as http,
    ):
        ws = await _open(http, one)
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"slug": SEED}},
            }
        )
        first = await _next(ws)
        assert first["payload"]["data"]["voteTally"]["totalVotes"] == 0, first
        a, b = tokens(2)
        await _vote(http, two, a, LEFT)
        update = (await _next(ws))["payload"]["data"]["voteTally"]
        assert update["totalVotes"] == 1
        assert {s["toolSlug"]: s["voteCount"] for s in update["sides"]} == {LEFT: 1, RIGHT: 0}
        await _vote(http, two, b, RIGHT)
        update = (await _next(ws))["payload"]["data"]["voteTally"]
        assert {s["toolSlug"]: s["voteCount"] for s in update["sides"]} == {LEFT: 1, RIGHT: 1}

        # The per-connection cap: a second subscription is fine, a third is refused.
        for op in ("2", "3"):
            await ws.send_json(
                {
                    "id": op,
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIBE, "variables": {"slug": SEED}},
                }
            )
        seen = [await _next(ws) for _ in range(2)]
        refused = [m for m in seen if m["id"] == "3"]
        assert len(refused) == 1
        assert refused[0]["type"] == "error"
        assert "limit" in json.dumps(refused[0]["payload"]).lower()
        await ws.close()


async def test_legacy_graphql_ws_protocol_is_off(demo_db: Settings) -> None:
    async with serve(demo_db.database_url) as base, aiohttp.ClientSession() as http:
        ws = await http.ws_connect(
            f"{base.replace('http', 'ws', 1)}/graphql", protocols=["graphql-ws"]
        )
        message = await ws.receive(timeout=10)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        assert ws.close_code == 4406


async def test_in_process_feed_without_redis(demo_db: Settings) -> None:
    async with serve(demo_db.database_url) as base, aiohttp.ClientSession() as http:
        ws = await _open(http, base)
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"slug": SEED}},
            }
        )
        assert (await _next(ws))["payload"]["data"]["voteTally"]["totalVotes"] == 0
        await _vote(http, base, tokens(1)[0], RIGHT)
        update = (await _next(ws))["payload"]["data"]["voteTally"]
        assert {s["toolSlug"]: s["voteCount"] for s in update["sides"]} == {LEFT: 0, RIGHT: 1}
        await ws.close()


@pytest.mark.parametrize("slug", ["no-such-comparison"])
async def test_subscription_to_unknown_comparison_is_typed(demo_db: Settings, slug: str) -> None:
    async with serve(demo_db.database_url) as base, aiohttp.ClientSession() as http:
        ws = await _open(http, base)
        await ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"slug": slug}},
            }
        )
        first = await _next(ws)
        assert first["payload"]["data"]["voteTally"]["__typename"] == "ComparisonNotFound"
        assert (await _next(ws))["type"] == "complete"
        await ws.close()
