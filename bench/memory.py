"""Memory under a stream of distinct large queries (not a test): RSS of one API process.

Builds the demo database in a temporary SQLite file, then sends ``--queries`` distinct
documents of ~``--kb`` KB each (every one parses, validates and runs: a long string literal
keeps it under the token limit), half of them as automatic persisted queries (hash and text, so
they register), through httpx's ASGI transport into one in-process app. Prints the process's
RSS after a warm-up and at checkpoints: with the caches bounded by bytes the figure levels off
instead of growing with the number of distinct queries.

    .venv/bin/python -m bench.memory [--queries 2000] [--kb 97]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hashlib
import os
import tempfile
from pathlib import Path

import httpx
from tortoise import Tortoise

from bench.servers import rss_mb
from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from verdict.db import database, migrate
from verdict.settings import PROJECT_ROOT, Settings


def _query(n: int, kb: int) -> str:
    head = f'query Big{n} {{ comparison(slug: "'
    tail = '") { title } }'
    padding = f"{n:08d}-" + "x" * (kb * 1000 - len(head) - len(tail) - 9)
    return head + padding + tail


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite://{Path(folder) / 'bench.sqlite3'}"
        settings = Settings(database_url=url)
        await migrate(settings)
        async with database(settings):
            await SyncEngine(ExportSource(PROJECT_ROOT / "content" / "sample")).run(full=True)
            app = create_app(settings, api=ApiSettings(), manage_database=False)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

                async def send(n: int) -> None:
                    query = _query(n, args.kb)
                    body: dict[str, object] = {"query": query}
                    if n % 2:
                        sha = hashlib.sha256(query.encode()).hexdigest()
                        body["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
                    response = await http.post("/graphql", json=body)
                    assert response.status_code == 200, response.text[:200]
                    assert response.json()["data"] == {"comparison": None}, response.text[:200]

                for n in range(50):  # warm-up: imports, first compilations, pools
                    await send(10_000_000 + n)
                gc.collect()
                before = rss_mb(os.getpid())
                print(f"RSS after warm-up: {before:.0f} MB")
                checkpoints = {args.queries // 4, args.queries // 2, args.queries}
                for n in range(1, args.queries + 1):
                    await send(n)
                    if n in checkpoints:
                        gc.collect()
                        now = rss_mb(os.getpid())
                        print(
                            f"after {n:5d} distinct ~{args.kb} KB queries: {now:.0f} MB "
                            f"({now - before:+.0f} MB)"
                        )
            await app.state.voting.stop()
    await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--kb", type=int, default=97, help="size of each query (under 100 KB)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
