"""Median latency and SQL query count of the comparison page query (a benchmark, not a test).

Creates a throwaway PostgreSQL database, migrates it, syncs the demo content into it, then runs
the frontend's comparison page query in-process through httpx's ASGI transport (the full
Starlette + Strawberry + Tortoise stack, without a socket) and prints the figures.

    .venv/bin/python bench/api_latency.py [--postgres URL] [--requests 300]

``--postgres`` (or VERDICT_TEST_POSTGRES_URL) names a server whose user may create databases.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from tortoise import Tortoise

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from cms_sync.engine import SyncEngine  # noqa: E402
from cms_sync.export_source import ExportSource  # noqa: E402
from graphql_api.app import create_app  # noqa: E402
from tests.support.queries import COMPARISON_PAGE  # noqa: E402
from verdict.db import migrate, tortoise_config  # noqa: E402
from verdict.settings import Settings  # noqa: E402

SLUG = "code-llama-4-vs-mistral-code"


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().lstrip().upper().startswith("SELECT"):
            self.count += 1


async def run(server_url: str, requests: int) -> None:
    admin_url = server_url.replace("postgres://", "postgresql://", 1)
    name = f"verdict_bench_{uuid.uuid4().hex[:8]}"
    url = f"{server_url.rpartition('/')[0]}/{name}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        settings = Settings(database_url=url)
        await migrate(settings)
        await Tortoise.init(config=tortoise_config(url))
        await SyncEngine(ExportSource(settings.sample_content_dir)).run(full=True)
        app = create_app(settings, manage_database=False)
        body = {"query": COMPARISON_PAGE, "variables": {"slug": SLUG}}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            counter = _Counter()
            logger = logging.getLogger("tortoise.db_client")
            logger.setLevel(logging.DEBUG)
            logger.addHandler(counter)
            response = await client.post("/graphql", json=body)
            logger.removeHandler(counter)
            logger.setLevel(logging.WARNING)
            if response.status_code != 200 or "errors" in response.json():
                raise SystemExit(f"the comparison page query failed: {response.text}")
            for _ in range(30):  # warm up caches and the connection pool
                await client.post("/graphql", json=body)
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                await client.post("/graphql", json=body)
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(f"comparison page ({SLUG}) on PostgreSQL, demo content, in-process ASGI")
        print(f"  SQL queries per request: {counter.count}")
        print(f"  requests: {requests}")
        print(f"  median: {statistics.median(timings):.2f} ms")
        print(f"  p90:    {timings[int(len(timings) * 0.9) - 1]:.2f} ms")
        print(f"  min:    {timings[0]:.2f} ms")
    finally:
        await Tortoise.close_connections()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("VERDICT_TEST_POSTGRES_URL"))
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    if not args.postgres:
        parser.error("set --postgres or VERDICT_TEST_POSTGRES_URL")
    asyncio.run(run(args.postgres, args.requests))


if __name__ == "__main__":
    main()
