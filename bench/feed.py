"""Sync feed benchmark (not a test): an initial feed of 10,000 comparisons, then an incremental
feed after 100 content changes and 1,000 votes.

Content is applied through the sync's own apply path (tests/support/cms_model.py) into a fresh
SQLite database (or PostgreSQL with ``--postgres URL``, a database created and dropped here);
the feed is read through the API app in process, with the query of examples/offline_sync.py.

    .venv/bin/python bench/feed.py [--comparisons 10000] [--postgres URL]

Reports pages per second and bytes per comparison for the initial pass, and SQL statements and
response bytes for the incremental one.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from tortoise import Tortoise

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.sql_counter import counting_queries  # noqa: E402
from graphql_api.app import create_app  # noqa: E402
from graphql_api.votes.voter import VoterSigner  # noqa: E402
from tests.support.cms_model import MemoryCms, comparison, side, tool  # noqa: E402
from verdict.db import migrate, tortoise_config  # noqa: E402
from verdict.settings import DEV_SECRET_KEY, Settings  # noqa: E402

PAGE = 100
TOOLS = 200
CONTENT = """
query Content($since: String) {
  contentChanges(since: $since, first: 100) {
    ... on ContentChangesPage {
      nextToken hasMore
      changes {
        type key slug removed { reason }
        comparison { slug title headline sides { position pricingEntry tool { slug name }
                     panelShipCount panelSkipCount panelShipPercent } }
        tool { slug name tagline panelShipPercent }
        reviewer { slug name lens }
      }
    }
  }
}
"""
TALLIES = """
query Tallies($since: String) {
  tallyChanges(since: $since, first: 100) {
    ... on TallyChangesPage {
      nextToken hasMore tallies { comparisonSlug sides { toolSlug voteCount } }
    }
  }
}
"""
CAST = "mutation C($input: CastVoteInput!) { castVote(input: $input) { __typename } }"


@dataclasses.dataclass(slots=True)
class Pass:
    pages: int = 0
    changes: int = 0
    comparisons: int = 0
    bytes: int = 0
    seconds: float = 0.0


async def _read(
    http: httpx.AsyncClient, query: str, field: str, since: str | None
) -> tuple[Pass, str | None]:
    result = Pass()
    started = time.perf_counter()
    while True:
        response = await http.post("/graphql", json={"query": query, "variables": {"since": since}})
        body: dict[str, Any] = response.json()
        page = body["data"][field]
        result.pages += 1
        result.bytes += len(response.content)
        items = page.get("changes", page.get("tallies", []))
        result.changes += len(items)
        result.comparisons += sum(1 for c in items if c.get("type") == "COMPARISON")
        since = page["nextToken"]
        if not page["hasMore"]:
            break
    result.seconds = time.perf_counter() - started
    return result, since


async def _seed(cms: MemoryCms, comparisons: int) -> None:
    await cms.put("tools", [tool(i) for i in range(1, TOOLS + 1)])
    for start in range(1, comparisons + 1, 1000):
        ids = range(start, min(start + 1000, comparisons + 1))
        await cms.put("comparisons", [comparison(i) for i in ids])
        sides = [side(i, t, n) for i in ids for n, t in enumerate(_tools(i), start=1)]
        await cms.put("comparison_sides", sides)


def _tools(comparison_id: int) -> tuple[int, int]:
    return (comparison_id % TOOLS + 1, (comparison_id * 7) % TOOLS + 1)


async def run(settings: Settings, comparisons: int) -> None:
    await migrate(settings)
    await Tortoise.init(config=tortoise_config(settings.database_url))
    try:
        cms = MemoryCms()
        clock = time.perf_counter()
        await _seed(cms, comparisons)
        print(f"seeded {comparisons} comparisons in {time.perf_counter() - clock:.1f}s")
        app = create_app(settings, manage_database=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://verdict.test") as http:
            initial, token = await _read(http, CONTENT, "contentChanges", None)
            tallies, tally_token = await _read(http, TALLIES, "tallyChanges", None)
            print(
                f"initial feed: {initial.pages} pages in {initial.seconds:.1f}s = "
                f"{initial.pages / initial.seconds:.1f} pages/s, {initial.changes} changes "
                f"({initial.comparisons} comparisons), "
                f"{initial.bytes / max(initial.comparisons, 1):.0f} bytes per comparison "
                f"(all pages' bytes / comparisons); initial tallies: {tallies.pages} pages"
            )
            edited = [comparison(i, title=f"Edited {i}") for i in range(1, 101)]
            await cms.put("comparisons", edited)
            voters = VoterSigner.from_secret(DEV_SECRET_KEY)
            for n in range(1000):
                slug = f"comparison-{n % 250 + 1}"
                pick = f"tool-{_tools(n % 250 + 1)[n % 2]}"
                variables = {"input": {"comparisonSlug": slug, "toolSlug": pick}}
                await http.post(
                    "/graphql",
                    json={"query": CAST, "variables": variables},
                    headers={"x-verdict-voter": voters.issue()[1]},
                )
            with counting_queries() as content_sql:
                incremental, _ = await _read(http, CONTENT, "contentChanges", token)
            with counting_queries() as tally_sql:
                votes, _ = await _read(http, TALLIES, "tallyChanges", tally_token)
            print(
                f"incremental content after 100 changes: {incremental.pages} pages, "
                f"{incremental.changes} changes ({incremental.comparisons} comparisons), "
                f"{content_sql.count} SQL statements, {incremental.bytes} bytes"
            )
            print(
                f"incremental tallies after 1,000 votes on 250 comparisons: {votes.pages} "
                f"pages, {votes.changes} tallies, {tally_sql.count} SQL statements, "
                f"{votes.bytes} bytes"
            )
            await app.state.voting.stop()
    finally:
        await Tortoise.close_connections()


async def main(args: argparse.Namespace) -> None:
    base = Settings(database_url="sqlite://:memory:", vote_limit_per_voter=0, vote_limit_per_ip=0)
    if args.postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite://{folder}/feed-bench.sqlite3"
            await run(dataclasses.replace(base, database_url=url), args.comparisons)
        return
    name = f"verdict_feed_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.postgres.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = args.postgres.rpartition("/")[0] + "/" + name
        await run(dataclasses.replace(base, database_url=url), args.comparisons)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comparisons", type=int, default=10_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    asyncio.run(main(parser.parse_args()))
