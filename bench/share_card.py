"""What a share card costs: a render (a cache miss) against serving the kept card (a hit).

Not a test. Migrates a scratch SQLite database, loads the sample content, and asks the app
in-process (httpx over ASGI, no network) for one comparison's card: ``--rounds`` times with the
cache emptied before each request (every request renders), then as many times from the cache.
Both include the same reads (the page's facts and their content versions), so the ratio is what
Pillow adds; it carries across machines better than the milliseconds.

    .venv/bin/python -m bench.share_card [--rounds 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from tortoise import Tortoise

from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from graphql_api.share_cards.route import ShareCards
from verdict.db import migrate, tortoise_config
from verdict.settings import PROJECT_ROOT, Settings

PATH = "/share/code-llama-4-vs-mistral-code.png"


async def _timed(
    http: httpx.AsyncClient, rounds: int, before: Callable[[], None] | None
) -> list[float]:
    times = []
    for _ in range(rounds):
        if before is not None:
            before()
        started = time.perf_counter()
        response = await http.get(PATH)
        times.append(time.perf_counter() - started)
        response.raise_for_status()
    return times


async def run(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite://{Path(folder) / 'bench.sqlite3'}")
        await migrate(settings)
        await Tortoise.init(config=tortoise_config(settings.database_url))
        try:
            await SyncEngine(ExportSource(PROJECT_ROOT / "content" / "sample")).run(full=True)
            app = create_app(settings, api=ApiSettings(), manage_database=False)
            cards: ShareCards = app.state.share_cards
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                await http.get(PATH)  # warm: fonts loaded, statements built
                misses = await _timed(http, rounds, cards.clear)
                hits = await _timed(http, rounds, None)
            await app.state.voting.stop()
        finally:
            await Tortoise.close_connections()
    miss, hit = statistics.median(misses), statistics.median(hits)
    print(f"share card, median of {rounds}: render {miss * 1000:.1f} ms, kept {hit * 1000:.1f} ms")
    print(f"a render costs {miss / hit:.1f}x serving the kept card")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    asyncio.run(run(parser.parse_args().rounds))


if __name__ == "__main__":
    main()
