"""The edge cache (graphql_api.caching.edge): public GET answers served from memory, dropped when
content or votes change, and never for anything private, previewed, refused or failed."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from devtools.sql_counter import counting_queries
from graphql_api.app import create_app
from graphql_api.caching.edge import ContentClock, EdgeCache
from graphql_api.preview.tokens import PreviewSigner
from graphql_api.settings import ApiSettings
from tests.support.content import edited_export
from tests.support.services import require_redis
from tests.support.votes import LEFT, SEED, cast, tokens
from verdict.settings import DEV_SECRET_KEY, Settings

TOOL = "query ToolName($slug: String!) { tool(slug: $slug) { name vendor } }"
VOTES = "query Votes($slug: String!) { comparison(slug: $slug) { voteCount } }"
PERSISTED_TOOL = {
    "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(TOOL.encode()).hexdigest()}
}


@dataclasses.dataclass
class Edge:
    http: httpx.AsyncClient
    app: Starlette

    @property
    def cache(self) -> EdgeCache:
        edge = self.app.state.edge_cache
        assert isinstance(edge, EdgeCache)
        return edge

    @property
    def clock(self) -> ContentClock:
        clock = self.app.state.content_clock
        assert isinstance(clock, ContentClock)
        return clock

    async def get(self, query: str, variables: dict[str, Any], **headers: str) -> httpx.Response:
        params = {"query": query, "variables": json.dumps(variables)}
        return await self.http.get("/graphql", params=params, headers=headers)


@contextlib.asynccontextmanager
async def _edge(settings: Settings, **api: Any) -> AsyncIterator[Edge]:
    configured = dataclasses.replace(
        settings,
        vote_limit_per_voter=0,
        vote_limit_per_ip=0,
    )
    configured_api = ApiSettings(**{"edge_cache_poll": 3600.0, **api})
    app = create_app(configured, api=configured_api, manage_database=False)
    async with app.router.lifespan_context(app):  # starts the vote feed and the content clock
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://verdict.test") as http:
            yield Edge(http, app)


def _cache(response: httpx.Response) -> str | None:
    value: str | None = response.headers.get("x-verdict-cache")
    return value


async def test_a_repeated_get_is_served_from_memory_until_a_sync_lands(
    demo_db: Settings, tmp_path: Path
) -> None:
    variables = {"slug": "code-llama-4"}
    async with _edge(demo_db) as edge:
        first = await edge.get(TOOL, variables)
        assert first.status_code == 200
        assert _cache(first) == "miss"  # the response cache's verdict: it ran
        with counting_queries() as sql:
            second = await edge.get(TOOL, variables)
        assert _cache(second) == "edge"
        assert sql.count == 0, sql.statements  # no database, not even a version check
        assert second.content == first.content
        for header in ("etag", "cache-control", "vary", "content-type"):
            assert second.headers[header] == first.headers[header]
        assert "set-cookie" not in second.headers
        assert second.headers["x-request-id"] != first.headers["x-request-id"]

        tag = first.headers["etag"]
        revalidated = await edge.get(TOOL, variables, **{"if-none-match": tag})
        assert (revalidated.status_code, _cache(revalidated)) == (304, "edge")
        assert revalidated.headers["etag"] == tag
        assert revalidated.content == b""

        # Other variables and another Accept are other entries.
        other = await edge.get(TOOL, {"slug": "mistral-code"})
        assert _cache(other) == "miss"
        graphql_json = "application/graphql-response+json"
        negotiated = await edge.get(TOOL, variables, accept=graphql_json)
        assert _cache(negotiated) != "edge"
        assert negotiated.headers["content-type"].startswith(graphql_json)

        # A sync commits a change: once the clock has read the new version, nothing older shows.
        report = await SyncEngine(ExportSource(edited_export(tmp_path, "Code Llama 4.1"))).run(
            full=True
        )
        assert report.changed
        await edge.clock.refresh()
        after = await edge.get(TOOL, variables)
        assert after.json()["data"]["tool"]["name"] == "Code Llama 4.1"
        assert _cache(after) != "edge"
        again = await edge.get(TOOL, variables)
        assert (_cache(again), again.content) == ("edge", after.content)


async def test_the_clock_polls_the_content_version(demo_db: Settings, tmp_path: Path) -> None:
    variables = {"slug": "code-llama-4"}
    async with _edge(demo_db, edge_cache_poll=0.05) as edge:
        await edge.get(TOOL, variables)
        assert _cache(await edge.get(TOOL, variables)) == "edge"
        await SyncEngine(ExportSource(edited_export(tmp_path, "Code Llama 5"))).run(full=True)
        for _ in range(100):
            response = await edge.get(TOOL, variables)
            if response.json()["data"]["tool"]["name"] == "Code Llama 5":
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the sync never showed through the edge cache")


async def test_vote_figures_are_dropped_when_a_vote_is_taken(demo_db: Settings) -> None:
    voter = tokens(1)[0]
    async with _edge(demo_db) as edge:
        first = await edge.get(VOTES, {"slug": SEED})
        assert first.json()["data"]["comparison"]["voteCount"] == 0
        assert first.headers["cache-control"] == "public, no-cache"
        # The voter's token is checked, not used: the answer is the same for everyone.
        assert _cache(await edge.get(VOTES, {"slug": SEED}, **{"x-verdict-voter": voter})) == "edge"

        assert (await cast(edge.http, voter, LEFT))["__typename"] == "VoteSuccess"
        after = await edge.get(VOTES, {"slug": SEED})
        assert after.json()["data"]["comparison"]["voteCount"] == 1
        assert _cache(after) != "edge"
        assert _cache(await edge.get(VOTES, {"slug": SEED})) == "edge"

        # A forged token meets the voter middleware's 401, cached answer or not.
        forged = await edge.get(VOTES, {"slug": SEED}, **{"x-verdict-voter": voter[:-2] + "xx"})
        assert forged.status_code == 401


async def test_a_vote_drops_only_what_shows_its_comparison(demo_db: Settings) -> None:
    other = "mistral-code-vs-forge-coder"
    most_voted = "{ comparisons(first: 3, orderBy: MOST_VOTED) { nodes { slug } } }"
    async with _edge(demo_db) as edge:
        for query, variables in (
            (VOTES, {"slug": SEED}),
            (VOTES, {"slug": other}),
            (most_voted, {}),
        ):
            await edge.get(query, variables)
            assert _cache(await edge.get(query, variables)) == "edge", query
        assert (await cast(edge.http, tokens(1)[0], LEFT))["__typename"] == "VoteSuccess"
        # The other comparison's figures did not change: still served from memory.
        assert _cache(await edge.get(VOTES, {"slug": other})) == "edge"
        # The voted one's did, and an order by votes may have.
        assert _cache(await edge.get(VOTES, {"slug": SEED})) != "edge"
        assert _cache(await edge.get(most_voted, {})) != "edge"


async def test_what_is_never_kept(demo_db: Settings) -> None:
    voter = tokens(1)[0]
    preview = PreviewSigner.from_secret(DEV_SECRET_KEY).issue(1)
    draft = '{ comparison(slug: "draft-preview-example") { title } }'
    private = '{ comparison(slug: "code-llama-4-vs-mistral-code") { myVote } }'
    status = "{ syncIssues { collection cmsId reasonCode } }"
    async with _edge(demo_db) as edge:
        public_draft = await edge.get(draft, {})
        assert public_draft.json()["data"] == {"comparison": None}
        assert _cache(await edge.get(draft, {})) == "edge"
        # The same URL with a preview token runs, and shows the draft.
        previewed = await edge.get(draft, {}, **{"x-verdict-preview": preview})
        assert previewed.json()["data"]["comparison"]["title"] == "Code Llama 4 vs Halyard Coder"
        assert _cache(previewed) is None
        assert (await edge.get(draft, {})).json()["data"] == {"comparison": None}

        cases: list[tuple[str, dict[str, str]]] = [
            (private, {"x-verdict-voter": voter}),  # depends on who asks
            ("{ tool(slug: 1) { name } }", {}),  # an error
            ("{ nope }", {}),  # a validation error
            (status, {}),  # live, but no event tells when it changes
        ]
        for query, headers in cases:
            for _ in range(2):
                response = await edge.get(query, {}, **headers)
                assert _cache(response) != "edge", (query, response.text)
        entries, _ = edge.cache.size
        assert entries == 1  # only the public draft answer

        # POSTs never touch it.
        for _ in range(2):
            posted = await edge.http.post(
                "/graphql", json={"query": TOOL, "variables": {"slug": "x"}}
            )
            assert _cache(posted) != "edge"


async def test_persisted_get_by_hash_is_kept(demo_db: Settings) -> None:
    variables = json.dumps({"slug": "code-llama-4"})
    by_hash = {"extensions": json.dumps(PERSISTED_TOOL), "variables": variables}
    async with _edge(demo_db) as edge:
        missing = await edge.http.get("/graphql", params=by_hash)
        assert missing.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
        assert _cache(await edge.http.get("/graphql", params=by_hash)) != "edge"
        registered = await edge.http.get("/graphql", params={**by_hash, "query": TOOL})
        assert registered.json()["data"]["tool"]["name"] == "Code Llama 4"
        assert _cache(await edge.http.get("/graphql", params=by_hash)) != "edge"
        hit = await edge.http.get("/graphql", params=by_hash)
        assert (_cache(hit), hit.content) == ("edge", registered.content)


async def test_memory_is_bounded(demo_db: Settings) -> None:
    async with _edge(demo_db, edge_cache_mb=1) as edge:
        big = (
            "{ "
            + " ".join(
                f't{i}: tool(slug: "code-llama-4") {{ name tagline description }}'
                for i in range(30)
            )
            + " }"
        )
        for i in range(200):
            response = await edge.get(big + " " * (i % 50), {"n": i})
            assert response.status_code == 200
        assert len(response.content) > 8 * 1024  # 200 answers: more than the megabyte
        entries, held = edge.cache.size
        assert 0 < entries < 200
        assert held <= 1024 * 1024
        scraped = dict(
            line.split(" ", 1)
            for line in (await edge.http.get("/metrics")).text.splitlines()
            if line.startswith("verdict_edge_cache_")
        )
        assert float(scraped["verdict_edge_cache_entries"]) == entries
        assert float(scraped["verdict_edge_cache_bytes"]) == held


async def test_switched_off(demo_db: Settings) -> None:
    async with _edge(demo_db, edge_cache=False) as edge:
        assert edge.app.state.edge_cache is None
        for _ in range(2):
            assert _cache(await edge.get(TOOL, {"slug": "code-llama-4"})) != "edge"


async def test_a_vote_on_another_replica_drops_the_entry(demo_db: Settings) -> None:
    redis_url = require_redis()
    shared = dataclasses.replace(demo_db, redis_url=redis_url)
    async with _edge(shared) as one, _edge(shared) as two:
        assert _cache(await one.get(VOTES, {"slug": SEED})) != "edge"
        assert _cache(await one.get(VOTES, {"slug": SEED})) == "edge"
        assert (await cast(two.http, tokens(1)[0], LEFT))["__typename"] == "VoteSuccess"
        for _ in range(250):  # Redis pub/sub delivers within milliseconds
            response = await one.get(VOTES, {"slug": SEED})
            if response.json()["data"]["comparison"]["voteCount"] == 1:
                break
            assert _cache(response) == "edge"
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the other replica's vote never showed")
        assert _cache(response) != "edge"
