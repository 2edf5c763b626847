"""In-process A/B of the comparison page, the listing and the no-GraphQL ceiling (not a test).

Builds (or reuses, ``--database``) a bench dataset in PostgreSQL, then runs each request in a
loop through httpx's ASGI transport (no socket, no server) and prints the median time per
request; ``--profile page|listing`` prints a cProfile summary of that loop. Quick for iterating
on the hot path; the harness (``python -m bench.run``) is what the targets are measured with.

    .venv/bin/python -m bench.inprocess [--size 1000] [--requests 400] [--profile page]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from tortoise import Tortoise

from bench import dataset
from bench.ceiling import comparison_page
from bench.run import _create_database, _drop_database
from graphql_api.app import create_app
from tests.support.queries import COMPARISON_LISTING, COMPARISON_PAGE
from verdict.db import tortoise_config
from verdict.settings import Settings


async def _loop(call: Callable[[], Awaitable[Any]], requests: int) -> float:
    for _ in range(20):
        await call()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        await call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


async def run(args: argparse.Namespace) -> None:
    url = args.database
    created = None
    if url is None:
        data = dataset.build(args.size)
        url = created = await _create_database(args.postgres, args.size)
        await asyncio.to_thread(dataset.migrate, url)
        await dataset.load_postgres(url, data)
        slugs = data.slugs
    else:
        slugs = [f"cmp-{i}" for i in range(1, 200)]
    print(f"database: {url}")
    await Tortoise.init(config=tortoise_config(url))
    try:
        app = create_app(Settings(database_url=url), manage_database=False)
        rng = random.Random(3)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def page() -> None:
                body = {"query": COMPARISON_PAGE, "variables": {"slug": rng.choice(slugs)}}
                response = await client.post("/graphql", json=body)
                if response.status_code != 200 or b'"errors"' in response.content:
                    raise RuntimeError(response.text[:500])

            async def listing() -> None:
                body = {"query": COMPARISON_LISTING, "variables": {"first": 20}}
                response = await client.post("/graphql", json=body)
                if response.status_code != 200 or b'"errors"' in response.content:
                    raise RuntimeError(response.text[:500])

            async def ceiling() -> None:
                await comparison_page(rng.choice(slugs))

            calls = {"page": page, "listing": listing, "ceiling": ceiling}
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                await _loop(calls[args.profile], args.requests)
                profiler.disable()
                stats = pstats.Stats(profiler).sort_stats(args.sort)
                stats.print_stats(args.lines)
                return
            for name, call in calls.items():
                print(f"{name}: median {await _loop(call, args.requests):.3f} ms", flush=True)
    finally:
        await Tortoise.close_connections()
        if created is not None and not args.keep:
            await _drop_database(args.postgres, created)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "VERDICT_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--database", help="reuse a loaded bench database (its URL)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--profile", choices=("page", "listing", "ceiling"))
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--lines", type=int, default=40)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
