"""Sync benchmark (not a test): an initial sync of 10,000 tools and 50,000 takes (reviews), then
an incremental sync after 10 of those entries changed.

The content is served by the fake Directus (tests/support/fake_directus.py, Directus's REST shapes)
or, with ``--cms strapi``, the Strapi stand-in (tests/support/fake_strapi.py, Strapi 5's) in a
separate process over loopback, and synced through the real source and engine into a fresh
PostgreSQL database, which is dropped afterwards.

    .venv/bin/python bench/sync_bench.py --postgres postgres://postgres@127.0.0.1:5432/postgres

``--spacing-ms`` sets how far apart the seeded entries were saved. Incremental passes re-read the
few seconds before their checkpoint (the overlap window), so content bulk-saved at thousands of
entries per second right before the checkpoint is re-read (and skipped as unchanged) once.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path

import asyncpg
from tortoise import Tortoise

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cms_sync.directus.source import DirectusSource  # noqa: E402
from cms_sync.engine import SyncEngine, SyncReport  # noqa: E402
from cms_sync.mapping import load_mapping  # noqa: E402
from cms_sync.source import Source  # noqa: E402
from cms_sync.strapi.adapter import ADAPTER as STRAPI  # noqa: E402
from tests.support import fake_strapi  # noqa: E402
from tests.support.content import review, seed, tool  # noqa: E402
from tests.support.fake_directus import TOKEN, FakeDirectus  # noqa: E402
from verdict.db import migrate, tortoise_config  # noqa: E402
from verdict.settings import Settings  # noqa: E402


async def serve_fake(cms: str, tools: int, reviews: int, reviewers: int, spacing_ms: float) -> None:
    """Child process: seed and serve the fake; on a `change` line, change 10 entries."""
    fake: FakeDirectus | fake_strapi.FakeStrapi
    fake = FakeDirectus() if cms == "directus" else fake_strapi.FakeStrapi()
    spacing = timedelta(milliseconds=spacing_ms)
    seed(fake, tools=tools, reviewers=reviewers, reviews=reviews, ties=1, spacing=spacing)
    print(await fake.start(), flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if line.strip() == "change":
            for i in range(1, 6):
                fake.put("tools", tool(i * 1000, name=f"Renamed {i}"))
                fake.put("reviews", review(i * 5000, i, i, quote=f"Changed take {i}"))
            print("changed", flush=True)
    await fake.stop()


def _source(cms: str, url: str, page_size: int) -> AbstractAsyncContextManager[Source]:
    if cms == "strapi":
        # As CMS_KIND=strapi opens it; Strapi reads 100 documents a request (by id).
        settings = Settings(
            database_url="sqlite://:memory:",
            cms_kind="strapi",
            cms_url=url,
            cms_token=fake_strapi.TOKEN,
        )
        return STRAPI.open_source(settings, load_mapping("strapi"), page_size)
    return DirectusSource(url, TOKEN, page_size=page_size)


async def _sync(cms: str, url: str, page_size: int) -> tuple[SyncReport, float]:
    async with _source(cms, url, page_size) as source:
        clock = time.perf_counter()
        report = await SyncEngine(source).run(full=False)
        return report, time.perf_counter() - clock


def _line(label: str, report: SyncReport, seconds: float) -> str:
    seen = report.entries_seen
    applied = sum(c.applied for c in report.collections.values())
    return (
        f"{label}: {seconds:.2f}s; {seen} entries read, {applied} applied; "
        f"{seen / seconds:,.0f} entries read/s"
    )


async def main(args: argparse.Namespace) -> None:
    name = f"verdict_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.postgres.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    database_url = args.postgres.rpartition("/")[0] + "/" + name
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve-fake",
        *("--cms", args.cms),
        *("--postgres", args.postgres, "--tools", str(args.tools)),
        *("--reviews", str(args.reviews), "--reviewers", str(args.reviewers)),
        *("--spacing-ms", str(args.spacing_ms)),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        url = (await child.stdout.readline()).decode().strip()
        await migrate(Settings(database_url=database_url))
        await Tortoise.init(config=tortoise_config(database_url))
        total = args.tools + args.reviewers + args.reviews
        print(
            f"content: {args.tools} tools, {args.reviewers} reviewers, {args.reviews} takes "
            f"({total} entries, saved {args.spacing_ms:g} ms apart); page size {args.page_size}; "
            f"PostgreSQL; {args.cms} stand-in in its own process on loopback"
        )
        initial, initial_s = await _sync(args.cms, url, args.page_size)
        print(_line("initial sync", initial, initial_s))
        child.stdin.write(b"change\n")
        await child.stdin.drain()
        await child.stdout.readline()
        incremental, incremental_s = await _sync(args.cms, url, args.page_size)
        print(_line("incremental sync (10 entries changed)", incremental, incremental_s))
        print(f"incremental / initial time: {incremental_s / initial_s:.4f}")
    finally:
        await Tortoise.close_connections()
        child.stdin.close()
        await child.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="server URL whose user may create DBs")
    parser.add_argument("--cms", choices=("directus", "strapi"), default="directus")
    parser.add_argument("--tools", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=50_000)
    parser.add_argument("--reviewers", type=int, default=200)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--spacing-ms", type=float, default=1000.0)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        asyncio.run(serve_fake(args.cms, args.tools, args.reviews, args.reviewers, args.spacing_ms))
    else:
        asyncio.run(main(args))
