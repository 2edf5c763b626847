"""Votes per second through the GraphQL endpoint on PostgreSQL, 32 concurrent clients.

Not a test. Creates a scratch database on the server named by VERDICT_BENCH_POSTGRES_URL (or
VERDICT_TEST_POSTGRES_URL), migrates it, loads the sample content, starts a real `verdict serve`
(rate limits off), casts N votes from N distinct voters on one comparison, then checks that the
tally, the vote rows and N agree exactly. Also measures a trivial GraphQL request at the same
concurrency, so the result reads as a ratio that carries across machines.

    .venv/bin/python -m bench.votes [--votes 4000] [--clients 32]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
import uuid

import aiohttp
import asyncpg
from tortoise import Tortoise

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from graphql_api.votes.voter import VoterSigner
from tests.support.servers import serve
from verdict.db import migrate, tortoise_config
from verdict.settings import PROJECT_ROOT, Settings

SLUG, TOOLS = "code-llama-4-vs-mistral-code", ("code-llama-4", "mistral-code")
CAST = (
    "mutation C($i: CastVoteInput!) { castVote(input: $i) { __typename "
    "... on VoteSuccess { tally { totalVotes } } } }"
)
SECRET = secrets.token_urlsafe(32)  # prod mode refuses a guessable secret


async def _drive(
    base: str, bodies: list[tuple[dict[str, object], dict[str, str]]], clients: int
) -> float:
    queue: asyncio.Queue[tuple[dict[str, object], dict[str, str]]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    failures: list[object] = []

    async def client(http: aiohttp.ClientSession) -> None:
        while not queue.empty():
            body, headers = queue.get_nowait()
            async with http.post(f"{base}/graphql", json=body, headers=headers) as response:
                data = await response.json()
            if response.status != 200 or "errors" in data:
                failures.append(data)

    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} requests failed, first: {failures[0]}")
    return len(bodies) / elapsed


async def main(votes: int, clients: int) -> int:
    server = os.environ.get("VERDICT_BENCH_POSTGRES_URL") or os.environ.get(
        "VERDICT_TEST_POSTGRES_URL"
    )
    if not server:
        print("set VERDICT_BENCH_POSTGRES_URL to a PostgreSQL server URL", file=sys.stderr)
        return 2
    name = f"verdict_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server.rpartition('/')[0]}/{name}"
    try:
        await migrate(Settings(database_url=url))
        await Tortoise.init(config=tortoise_config(url))
        await SyncEngine(ExportSource(PROJECT_ROOT / "content" / "sample")).run(full=True)
        await Tortoise.close_connections()
        signer = VoterSigner.from_secret(SECRET)
        env = {
            "VERDICT_SECRET_KEY": SECRET,
            "VERDICT_VOTE_LIMIT_PER_VOTER": "0",
            "VERDICT_VOTE_LIMIT_PER_IP": "0",
        }
        async with serve(url, **env) as base:
            token = signer.issue()[1]
            trivial = [({"query": "{ __typename }"}, {"x-verdict-voter": token})] * votes
            baseline = await _drive(base, trivial, clients)
            casts = [
                (
                    {
                        "query": CAST,
                        "variables": {"i": {"comparisonSlug": SLUG, "toolSlug": TOOLS[i % 2]}},
                    },
                    {"x-verdict-voter": signer.issue()[1]},
                )
                for i in range(votes)
            ]
            rate = await _drive(base, casts, clients)
        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            counted = await conn.fetchval("SELECT COALESCE(SUM(count), 0) FROM vote_tally")
            rows = await conn.fetchval("SELECT COUNT(*) FROM vote")
        finally:
            await conn.close()
        exact = counted == rows == votes
        print(f"votes: {votes} cast by {clients} concurrent clients")
        print(
            f"castVote: {rate:.0f} votes/s; trivial query: {baseline:.0f} req/s; "
            f"ratio {rate / baseline:.2f}"
        )
        print(f"tally {counted}, vote rows {rows}: {'exact' if exact else 'MISMATCH'}")
        return 0 if exact else 1
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--votes", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.votes, args.clients)))
