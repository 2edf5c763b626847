"""Sync benchmark (not a test): an initial sync of 10,000 tools and 50,000 takes (reviews), then
an incremental sync after 10 of those entries changed.

The content is served by a stand-in in a separate process over loopback: the fake Directus
(tests/support/fake_directus.py, Directus's REST shapes), the Strapi stand-in
(tests/support/fake_strapi.py, Strapi 5's) or the Contentful stand-in
(devtools/contentful_standin.py, the Sync API's), and synced through the real source, as
``CMS_KIND`` opens it, and the engine into a fresh PostgreSQL database, dropped afterwards.
``--cms all`` runs the three in turn and prints them side by side.

    .venv/bin/python bench/sync_bench.py --cms all \
        --postgres postgres://postgres@127.0.0.1:5432/postgres

``--spacing-ms`` sets how far apart the seeded entries were saved. Incremental passes re-read the
few seconds before their checkpoint (the overlap window), so content bulk-saved at thousands of
entries per second right before the checkpoint is re-read (and skipped as unchanged) once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
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

from cms_sync.contentful.adapter import ADAPTER as CONTENTFUL  # noqa: E402
from cms_sync.directus.adapter import ADAPTER as DIRECTUS  # noqa: E402
from cms_sync.engine import SyncEngine, SyncReport  # noqa: E402
from cms_sync.mapping import load_mapping  # noqa: E402
from cms_sync.source import Source, StreamSource  # noqa: E402
from cms_sync.strapi.adapter import ADAPTER as STRAPI  # noqa: E402
from devtools import contentful_content  # noqa: E402
from devtools.contentful_standin import ContentfulStandin  # noqa: E402
from tests.support import fake_strapi  # noqa: E402
from tests.support.content import review, seed, tool  # noqa: E402
from tests.support.fake_directus import TOKEN, FakeDirectus  # noqa: E402
from verdict.db import migrate, tortoise_config  # noqa: E402
from verdict.settings import Settings  # noqa: E402

CMSS = ("directus", "strapi", "contentful")
STANDIN = ContentfulStandin()
"""Its space, environment and token are what the Contentful leg's settings name."""


async def serve_contentful(tools: int, reviews: int, reviewers: int) -> None:
    """Child process for Contentful: the Sync API's stand-in, published to in one go."""
    standin = ContentfulStandin()
    seeded = contentful_content.seed(standin, tools=tools, reviewers=reviewers, reviews=reviews)
    print(await standin.start(), flush=True)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if line.strip() == "change":
            contentful_content.change(standin, seeded, 10)
            print("changed", flush=True)
    await standin.close()


async def serve_fake(cms: str, tools: int, reviews: int, reviewers: int, spacing_ms: float) -> None:
    """Child process: seed and serve the fake; on a `change` line, change 10 entries."""
    if cms == "contentful":
        await serve_contentful(tools, reviews, reviewers)
        return
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


def _source(
    cms: str, url: str, page_size: int
) -> AbstractAsyncContextManager[Source | StreamSource]:
    """The source as ``CMS_KIND=<cms>`` opens it (cms_sync.adapters), on the stand-in."""
    token = fake_strapi.TOKEN if cms == "strapi" else TOKEN
    settings = Settings(
        database_url="sqlite://:memory:", cms_kind=cms, cms_url=url, cms_token=token
    )
    if cms == "contentful":  # its settings come from the environment, as the worker's do
        os.environ.update(
            CONTENTFUL_SPACE_ID=STANDIN.space_id,
            CONTENTFUL_ACCESS_TOKEN=STANDIN.token,
            CONTENTFUL_ENVIRONMENT=STANDIN.environment,
            CONTENTFUL_BASE_URL=url,
        )
    adapter = {"directus": DIRECTUS, "strapi": STRAPI, "contentful": CONTENTFUL}[cms]
    return adapter.open_source(settings, load_mapping(cms), page_size)


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


Result = tuple[SyncReport, float, SyncReport, float]


async def main(args: argparse.Namespace) -> None:
    results: dict[str, Result] = {}
    for cms in CMSS if args.cms == "all" else (args.cms,):
        results[cms] = await run(args, cms)
    if len(results) > 1:
        print()
        print("| adapter | initial sync | entries/s | after 10 changes | applied |")
        print("|---|---|---|---|---|")
        for cms, (initial, initial_s, incremental, incremental_s) in results.items():
            applied = sum(c.applied for c in incremental.collections.values())
            print(
                f"| {cms} | {initial_s:.1f} s | {initial.entries_seen / initial_s:,.0f} "
                f"| {incremental_s:.2f} s | {applied} |"
            )


async def run(args: argparse.Namespace, cms: str) -> Result:
    name = f"verdict_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(args.postgres.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')
    database_url = args.postgres.rpartition("/")[0] + "/" + name
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--serve-fake",
        *("--cms", cms),
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
        await Tortoise.init(config=tortoise_config(database_url, custom_plans=True))
        total = args.tools + args.reviewers + args.reviews
        print(
            f"content: {args.tools} tools, {args.reviewers} reviewers, {args.reviews} takes "
            f"({total} entries, saved {args.spacing_ms:g} ms apart); page size {args.page_size}; "
            f"PostgreSQL; {cms} stand-in in its own process on loopback"
        )
        initial, initial_s = await _sync(cms, url, args.page_size)
        print(_line("initial sync", initial, initial_s))
        child.stdin.write(b"change\n")
        await child.stdin.drain()
        await child.stdout.readline()
        incremental, incremental_s = await _sync(cms, url, args.page_size)
        print(_line("incremental sync (10 entries changed)", incremental, incremental_s))
        print(f"incremental / initial time: {incremental_s / initial_s:.4f}")
        return initial, initial_s, incremental, incremental_s
    finally:
        await Tortoise.close_connections()
        child.stdin.close()
        await child.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--postgres", required=True, help="server URL whose user may create DBs")
    parser.add_argument("--cms", choices=(*CMSS, "all"), default="directus")
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
