"""CPU-only A/B of the comparison page and the listing against their no-GraphQL ceilings (not a
test).

Both run in this process on a bench database that ``python -m bench.inprocess --keep`` (or
``scripts/bench --keep``) left behind, called as raw ASGI apps (no client, no server). The
database answers from memory after the first time it sees a statement (Tortoise still builds
every query and converts every row), so what is timed is the Python each side spends per
request, without PostgreSQL's latency and the machine's I/O noise. Blocks of the page, the
ceiling and the ceiling on the API's compiled statements (``/page-statements``), then the same
three for the 20-item listing (``/listing``, ``/listing-statements``), then the listing and its
handler on compiled statements again with a new vote count in every answer of the listing's
statement (``Votes``: nothing built from the last answer is used again), alternate; the fastest
block of each is reported, with the median.

    .venv/bin/python -m bench.cpu --database postgres://postgres@127.0.0.1:5432/verdict_bench_1000_xxxxxx
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.types import ASGIApp, Message
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from bench.ceiling import create_app as create_ceiling
from graphql_api.app import create_app
from graphql_api.votes.voter import VoterSigner
from tests.support.queries import COMPARISON_LISTING, COMPARISON_PAGE
from verdict.db import tortoise_config
from verdict.settings import Settings

SECRET = secrets.token_urlsafe(32)  # prod mode refuses a guessable secret


class Votes:
    """While ``moving``, every answer of the listing's statement carries a new vote count (on
    its last side): a front page while votes arrive, so that nothing built from its last answer
    can be used again (``graphql_api.engine.statements``, ``remember_bytes``)."""

    moving = False
    counted = 0


def answer_from_memory() -> None:
    """Each distinct statement goes to PostgreSQL once; later its rows come from memory."""
    real = AsyncpgDBClient.execute_query_dict
    memo: dict[tuple[str, tuple[Any, ...]], list[dict[str, Any]]] = {}

    async def execute_query_dict(
        self: AsyncpgDBClient, query: str, values: list[Any] | None = None
    ) -> list[dict[str, Any]]:
        key = (query, tuple(values or ()))
        if key not in memo:
            memo[key] = await real(self, query, values)
        rows = [dict(row) for row in memo[key]]
        if Votes.moving and rows and "side_votes" in rows[-1]:
            Votes.counted += 1
            rows[-1]["side_votes"] = Votes.counted
        return rows

    AsyncpgDBClient.execute_query_dict = execute_query_dict  # type: ignore[method-assign]


async def _call(
    app: ASGIApp, method: str, path: str, body: bytes, headers: list[tuple[bytes, bytes]]
) -> int:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    await app(scope, receive, send)
    return int(sent[0]["status"])


async def run(args: argparse.Namespace) -> None:
    os.environ.update(
        {"DATABASE_URL": args.database, "VERDICT_MODE": "prod", "VERDICT_SECRET_KEY": SECRET}
    )
    answer_from_memory()
    await Tortoise.init(config=tortoise_config(args.database))
    try:
        api = create_app(Settings.from_env(), manage_database=False)
        ceiling = create_ceiling()
        voter = VoterSigner.from_secret(SECRET).issue()[1].encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"x-verdict-voter", voter),
        ]
        slugs = [f"cmp-{i}" for i in range(1, args.slugs + 1)]
        rng = random.Random(1)

        async def page() -> None:
            body = orjson.dumps(
                {"query": COMPARISON_PAGE, "variables": {"slug": rng.choice(slugs)}}
            )
            assert await _call(api, "POST", "/graphql", body, headers) == 200

        async def ceiling_page() -> None:
            assert await _call(ceiling, "GET", f"/page/{rng.choice(slugs)}", b"", []) == 200

        async def on_statements() -> None:
            path = f"/page-statements/{rng.choice(slugs)}"
            assert await _call(ceiling, "GET", path, b"", []) == 200

        listing_body = orjson.dumps({"query": COMPARISON_LISTING, "variables": {"first": 20}})

        async def listing() -> None:
            assert await _call(api, "POST", "/graphql", listing_body, headers) == 200

        async def listing_ceiling() -> None:
            assert await _call(ceiling, "GET", "/listing", b"", []) == 200

        async def listing_statements() -> None:
            assert await _call(ceiling, "GET", "/listing-statements", b"", []) == 200

        def votes_moving(call: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
            async def moving() -> None:
                Votes.moving = True
                try:
                    await call()
                finally:
                    Votes.moving = False

            return moving

        sides: dict[str, Callable[[], Awaitable[None]]] = {
            "page": page,
            "ceiling": ceiling_page,
            "statements": on_statements,
            "listing": listing,
            "listing ceiling": listing_ceiling,
            "listing statements": listing_statements,
            "listing, votes moving": votes_moving(listing),
            "listing statements, votes moving": votes_moving(listing_statements),
        }
        for call in sides.values():
            for _ in range(2 * args.slugs):  # every statement seen once: memory from now on
                await call()
        gc.collect()
        gc.freeze()
        timings: dict[str, list[float]] = {name: [] for name in sides}
        for _ in range(args.blocks):
            for name, call in sides.items():
                started = time.process_time()
                for _ in range(args.requests):
                    await call()
                timings[name].append((time.process_time() - started) / args.requests * 1e6)
        best = {name: min(values) for name, values in timings.items()}
        median = {name: statistics.median(values) for name, values in timings.items()}
        if args.json:  # for bench.run
            print(json.dumps({"best_us": best, "median_us": median}))
            return
        print(
            f"page {best['page']:.0f} µs, ceiling {best['ceiling']:.0f} µs per request "
            f"(fastest blocks; medians {median['page']:.0f} / {median['ceiling']:.0f}): "
            f"overhead {best['page'] - best['ceiling']:.0f} µs, "
            f"ceiling / page {best['ceiling'] / best['page']:.0%}; the ceiling on compiled "
            f"statements {best['statements']:.0f} µs (median {median['statements']:.0f}), "
            f"GraphQL's own overhead {best['page'] - best['statements']:.0f} µs"
        )
        print(
            f"listing {best['listing']:.0f} µs (median {median['listing']:.0f}), its ceiling "
            f"{best['listing ceiling']:.0f} µs (median {median['listing ceiling']:.0f}), on "
            f"compiled statements {best['listing statements']:.0f} µs (median "
            f"{median['listing statements']:.0f}): ceiling / listing "
            f"{best['listing ceiling'] / best['listing']:.0%}, on statements / listing "
            f"{best['listing statements'] / best['listing']:.0%}; listing / page CPU "
            f"{best['listing'] / best['page']:.2f}"
        )
        print(
            f"with a new vote in every answer of the listing's statement: listing "
            f"{best['listing, votes moving']:.0f} µs, on compiled statements "
            f"{best['listing statements, votes moving']:.0f} µs: on statements / listing "
            f"{best['listing statements, votes moving'] / best['listing, votes moving']:.0%}"
        )
    finally:
        await Tortoise.close_connections()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a loaded bench database (its URL)")
    parser.add_argument("--slugs", type=int, default=200, help="distinct comparisons asked for")
    parser.add_argument("--blocks", type=int, default=30, help="alternating blocks per side")
    parser.add_argument("--requests", type=int, default=50, help="requests per block")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
