"""GraphQL, WebSocket, Directus and SQL calls the checks make against the topology."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aiohttp
import asyncpg

from deploy.topology.processes import TopologyError

VOTER_HEADER = "X-Verdict-Voter"
SIDES = (
    "query($first: Int!) { comparisons(first: $first) { nodes { slug sides { tool { slug } } } } }"
)
COUNTS = "query($slug: String!) { comparison(slug: $slug) { sides { tool { slug } voteCount } } }"
TAGLINE = "query($slug: String!) { tool(slug: $slug) { tagline } }"
CAST = """
mutation($input: CastVoteInput!) {
  castVote(input: $input) { __typename ... on VoteSuccess { tally { totalVotes } } }
}
"""
SUBSCRIBE = """
subscription($slug: String!) {
  voteTally(comparisonSlug: $slug) { __typename ... on ComparisonTally { totalVotes } }
}
"""
LIVE_TIMEOUT = 15.0
CONCURRENCY = 16


class Votes:
    """Talks to the API processes (``api_urls``), the database and Directus."""

    def __init__(self, http: aiohttp.ClientSession, api_urls: list[str], dsn: str) -> None:
        self._http = http
        self._apis = api_urls
        self._dsn = dsn
        self._keys: dict[int, tuple[str, str]] = {}  # voter index: (token, idempotency key)

    async def _post(
        self, api: int, query: str, variables: dict[str, Any], voter: str | None = None
    ) -> tuple[dict[str, Any], str | None]:
        headers = {VOTER_HEADER: voter} if voter else {}
        async with self._http.post(
            f"{self._apis[api]}/graphql",
            json={"query": query, "variables": variables},
            headers=headers,
        ) as response:
            body: dict[str, Any] = await response.json()
            issued = response.headers.get(VOTER_HEADER)
        if response.status != 200 or body.get("errors") or not body.get("data"):
            raise TopologyError(f"{self._apis[api]} answered {response.status}: {body}")
        data: dict[str, Any] = body["data"]
        return data, issued

    async def sides(self, index: int) -> tuple[str, list[str]]:
        """The ``index``-th comparison's slug and its sides' tool slugs."""
        data, _ = await self._post(0, SIDES, {"first": index + 1})
        node = data["comparisons"]["nodes"][index]
        return node["slug"], [side["tool"]["slug"] for side in node["sides"]]

    async def new_voter(self, api: int) -> str:
        """A voter token, minted by API process ``api`` (``POST /voter``, as a mobile app does)."""
        async with self._http.post(f"{self._apis[api]}/voter") as response:
            issued = response.headers.get(VOTER_HEADER)
            status = response.status
        if status != 201 or not issued:
            raise TopologyError(f"{self._apis[api]} minted no voter (HTTP {status})")
        return issued

    async def cast(self, api: int, voter: str, slug: str, tool: str, key: str) -> str:
        variables = {"input": {"comparisonSlug": slug, "toolSlug": tool, "idempotencyKey": key}}
        data, _ = await self._post(api, CAST, variables, voter)
        typename: str = data["castVote"]["__typename"]
        return typename

    async def cast_many(self, slug: str, plan: list[tuple[int, str]]) -> list[str]:
        """Voter i gets its token from API i % 2 and votes on the other one."""
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(i: int, tool: str) -> str:
            async with gate:
                token = await self.new_voter(i % 2)
                key = uuid.uuid4().hex
                self._keys[i] = (token, key)
                return await self.cast((i + 1) % 2, token, slug, tool, key)

        return list(await asyncio.gather(*(one(i, tool) for i, tool in plan)))

    async def replay(self, slug: str, plan: list[tuple[int, str]]) -> list[str]:
        """The same votes again (same voter, same idempotency key) on the API not used before."""
        outcomes = []
        for i, tool in plan:
            token, key = self._keys[i]
            outcomes.append(await self.cast(i % 2, token, slug, tool, key))
        return outcomes

    async def counts(self, api: int, slug: str) -> dict[str, int]:
        data, _ = await self._post(api, COUNTS, {"slug": slug})
        return {s["tool"]["slug"]: s["voteCount"] for s in data["comparison"]["sides"]}

    async def database_counts(self, slug: str) -> tuple[dict[str, int], dict[str, int]]:
        """(vote rows per tool, vote_tally per tool) for ``slug``, straight from PostgreSQL."""
        conn = await asyncpg.connect(self._dsn)
        try:
            rows = await conn.fetch(
                "SELECT tool_slug, count(*) AS n FROM vote WHERE comparison_slug = $1 "
                "GROUP BY tool_slug",
                slug,
            )
            tallies = await conn.fetch(
                "SELECT tool_slug, count AS n FROM vote_tally WHERE comparison_slug = $1", slug
            )
        finally:
            await conn.close()
        return {r["tool_slug"]: r["n"] for r in rows}, {r["tool_slug"]: r["n"] for r in tallies}

    async def vote_reaches_subscriber(
        self, slug: str, tool: str, listener: int, caster: int
    ) -> float:
        """Subscribe on ``listener``, vote on ``caster``; seconds until the subscriber saw it."""
        url = self._apis[listener].replace("http", "ws", 1) + "/graphql"
        async with self._http.ws_connect(url, protocols=["graphql-transport-ws"]) as ws:
            await ws.send_json({"type": "connection_init"})
            ack = await ws.receive_json(timeout=LIVE_TIMEOUT)
            if ack.get("type") != "connection_ack":
                raise TopologyError(f"no connection_ack from {url}: {ack}")
            payload = {"query": SUBSCRIBE, "variables": {"slug": slug}}
            await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
            before = await self._total(ws)
            voter = await self.new_voter(caster)
            cast_at = time.monotonic()
            outcome = await self.cast(caster, voter, slug, tool, uuid.uuid4().hex)
            if outcome != "VoteSuccess":
                raise TopologyError(f"vote on {self._apis[caster]}: {outcome}")
            deadline = cast_at + LIVE_TIMEOUT
            while (total := await self._total(ws, deadline - time.monotonic())) != before + 1:
                if total > before + 1:
                    raise AssertionError(f"subscriber saw {total} votes, expected {before + 1}")
            return time.monotonic() - cast_at

    @staticmethod
    async def _total(ws: aiohttp.ClientWebSocketResponse, within: float = LIVE_TIMEOUT) -> int:
        if within <= 0:
            raise AssertionError("the subscriber saw no update in time")
        try:
            message = await ws.receive_json(timeout=within)
        except TimeoutError:
            raise AssertionError("the subscriber saw no update in time") from None
        if message.get("type") != "next":
            raise TopologyError(f"unexpected subscription message: {message}")
        total: int = message["payload"]["data"]["voteTally"]["totalVotes"]
        return total

    async def patch_first_tool(self, cms_url: str, admin_token: str, tagline: str) -> str:
        """Change the tagline of Directus's tool 1 as an editor would; returns its slug."""
        async with self._http.patch(
            f"{cms_url}/items/tools/1",
            json={"tagline": tagline},
            headers={"Authorization": f"Bearer {admin_token}"},
        ) as response:
            body: dict[str, Any] = await response.json()
        if response.status != 200:
            raise TopologyError(f"Directus PATCH /items/tools/1 answered {response.status}: {body}")
        slug: str = body["data"]["slug"]
        return slug

    async def tagline(self, api: int, slug: str) -> str:
        data, _ = await self._post(api, TAGLINE, {"slug": slug})
        tagline: str = data["tool"]["tagline"]
        return tagline
