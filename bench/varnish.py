"""A page served from Varnish: throughput against the HTTP ceiling, and freshness after edits
and votes. Not a test.

    .venv/bin/python -m bench.varnish [--edits 50] [--votes 50] [--seconds 5]

Sets up a scratch SQLite database with the sample content, a real `verdict serve` (purging on,
its edge cache off, as docs/cdn.md advises) behind a real Varnish running the shipped
deploy/varnish/default.vcl, and measures:

- throughput: wrk on one comparison page's GraphQL GET through Varnish (every request a hit),
  against the static-JSON HTTP ceiling (bench/ceiling.py's ``/static``: the same page's JSON held
  in memory by a plain Starlette app under uvicorn), as a ratio;
- freshness, edit to served: an edit to the comparison's headline in the content export (an
  in-memory export synced by the real engine, devtools/editable_source.py, the path tests/cms_sync
  and the demo use: no Directus), then the CMS webhook to a running sync worker (signed with the
  shared secret), whose pass (after the default 0.25 s webhook debounce) commits the change
  and its purge, until Varnish serves the new headline; the page is cached (a Varnish hit)
  before each edit;
- votes, vote to served: a castVote through Varnish (which passes it to the API), until Varnish
  serves the new tally; the API purges VERDICT_PURGE_VOTE_DEBOUNCE (0.5 s, the default) after
  the vote, so that is most of it.

Results go to bench/results/varnish-<date>.md and .json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench import wrk
from cms_sync.engine import SyncEngine
from cms_sync.export_source import ExportSource
from cms_sync.lock import lock_for
from cms_sync.webhooks import SECRET_HEADER
from cms_sync.worker import SyncWorker, WatchOptions
from devtools.editable_source import EditableExport
from devtools.varnish import free_port, run_varnish
from graphql_api.votes.voter import VoterSigner
from tests.support.servers import serve
from verdict.db import database, migrate
from verdict.delivery import Deliverer
from verdict.purge.settings import Backend, PurgeSettings
from verdict.settings import DEV_SECRET_KEY, PROJECT_ROOT, Settings

SLUG, COMPARISON_ID = "code-llama-4-vs-mistral-code", 1
WEBHOOK_SECRET = "bench-webhook-secret"
PAGE = (
    f'query Page {{ comparison(slug: "{SLUG}") {{ slug title headline summary '
    "sides { position tool { slug name vendor tagline } panelShipCount panelSkipCount } "
    "panelVerdict { outcome margin favouredSide { position } } } }"
)
TALLY = (
    f'query Tally {{ comparison(slug: "{SLUG}") {{ slug voteCount '
    "sides { tool { slug } voteCount } } }"
)
CAST = "mutation C($i: CastVoteInput!) { castVote(input: $i) { __typename } }"
RESULTS = PROJECT_ROOT / "bench" / "results"


def _url(base: str, query: str) -> str:
    from urllib.parse import urlencode

    return f"{base}/graphql?{urlencode({'query': query})}"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(_percentile(values, 0.95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


@contextlib.asynccontextmanager
async def ceiling(database_url: str) -> AsyncIterator[str]:
    """bench.ceiling under uvicorn; yields its /static URL."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.ceiling",
        "--port",
        str(port),
        env={**os.environ, "DATABASE_URL": database_url, "VERDICT_BENCH_STATIC_SLUG": SLUG},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/static"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(url) as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.1)
        yield url
    finally:
        process.terminate()
        await process.wait()


async def _get_json(http: aiohttp.ClientSession, url: str) -> tuple[dict[str, Any], str]:
    async with http.get(url) as response:
        body: dict[str, Any] = await response.json(content_type=None)
        return body, response.headers.get("x-varnish-cache", "")


async def _until(http: aiohttp.ClientSession, url: str, done: Any, limit: float = 10.0) -> float:
    """Poll ``url`` every 5 ms until ``done(data)``; the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        body, _ = await _get_json(http, url)
        if done(body["data"]["comparison"]):
            return time.perf_counter() - started
        await asyncio.sleep(0.005)
    raise RuntimeError(f"Varnish did not serve the change within {limit} s")


async def _cached(http: aiohttp.ClientSession, url: str) -> None:
    for _ in range(3):
        _, state = await _get_json(http, url)
        if state == "hit":
            return
    raise RuntimeError("the page is not cached by Varnish")


async def freshness(settings: Settings, varnish: str, edits: int) -> list[float]:
    """Edit -> webhook -> sync pass -> purge -> Varnish serves it, ``edits`` times."""
    source = EditableExport(PROJECT_ROOT / "content" / "sample")
    deliverer = Deliverer.from_settings(
        PurgeSettings(backend=Backend.VARNISH, varnish_urls=(varnish,))
    )
    options = WatchOptions(
        poll_seconds=3600,
        full_every_seconds=10**7,
        webhook_port=0,
        webhook_secret=WEBHOOK_SECRET,
    )  # the default webhook debounce (0.25 s), as `verdict sync --watch` runs
    worker = SyncWorker(
        source, lock_for(settings), options, say=lambda _: None, deliverer=deliverer
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    url = _url(varnish, PAGE)
    took: list[float] = []
    try:
        async with aiohttp.ClientSession() as http:
            await worker.wait_for_passes(1)  # the first pass: nothing new, but listening
            for n in range(edits):
                await _cached(http, url)
                headline = f"Edit {n} at {time.time():.3f}"
                started = time.perf_counter()
                source.edit("comparisons", COMPARISON_ID, headline=headline)
                async with http.post(
                    worker.webhook_url,
                    json={"event": "items.update", "collection": "comparisons"},
                    headers={SECRET_HEADER: WEBHOOK_SECRET},
                ) as response:
                    assert response.status < 300, await response.text()
                await _until(http, url, lambda c, h=headline: c["headline"] == h)
                took.append(time.perf_counter() - started)
    finally:
        stop.set()
        await running
    return took


async def vote_freshness(varnish: str, votes: int) -> list[float]:
    url = _url(varnish, TALLY)
    signer = VoterSigner.from_secret(DEV_SECRET_KEY)
    took: list[float] = []
    async with aiohttp.ClientSession() as http:
        body, _ = await _get_json(http, url)
        tool = body["data"]["comparison"]["sides"][0]["tool"]["slug"]
        for _ in range(votes):
            await _cached(http, url)
            count = (await _get_json(http, url))[0]["data"]["comparison"]["voteCount"]
            _, token = signer.issue()
            started = time.perf_counter()
            async with http.post(
                f"{varnish}/graphql",
                json={
                    "query": CAST,
                    "variables": {"i": {"comparisonSlug": SLUG, "toolSlug": tool}},
                },
                headers={"x-verdict-voter": token},
            ) as response:
                answer = await response.json()
                assert answer["data"]["castVote"]["__typename"] == "VoteSuccess", answer
            await _until(http, url, lambda c, n=count: c["voteCount"] == n + 1)
            took.append(time.perf_counter() - started)
    return took


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="verdict-bench-varnish-") as tmp:
        folder = Path(tmp)
        settings = Settings(database_url=f"sqlite://{folder / 'bench.sqlite3'}")
        await migrate(settings)
        async with database(settings):
            await SyncEngine(ExportSource(PROJECT_ROOT / "content" / "sample")).run(full=True)
        varnish = f"http://127.0.0.1:{free_port()}"
        env = {
            "VERDICT_PURGE": "varnish",
            "VERDICT_VARNISH_URLS": varnish,
            "VERDICT_EDGE_CACHE": "0",
        }
        async with serve(settings.database_url, **env) as api:
            api_port = int(api.rsplit(":", 1)[1])
            varnish_port = int(varnish.rsplit(":", 1)[1])
            async with run_varnish(folder / "varnish", api_port, port=varnish_port):
                page_path = _url("", PAGE)
                async with aiohttp.ClientSession() as http:
                    await _cached(http, varnish + page_path)
                async with ceiling(settings.database_url) as static:
                    print("throughput: HTTP ceiling (/static) ...", file=sys.stderr)
                    load = wrk.Load(kind="get", lines=[""], prefix="/static")
                    ceiling_run = wrk.run(static, load, args.seconds, warmup=1)
                print("throughput: the page from Varnish ...", file=sys.stderr)
                load = wrk.Load(kind="get", lines=[""], prefix=page_path)
                varnish_run = wrk.run(varnish + page_path, load, args.seconds, warmup=1)
                print(f"freshness: {args.edits} edits ...", file=sys.stderr)
                async with database(settings):
                    edits = await freshness(settings, varnish, args.edits)
                print(f"votes: {args.votes} votes ...", file=sys.stderr)
                votes = await vote_freshness(varnish, args.votes)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count()},
        "throughput": {
            "ceiling_static": ceiling_run.as_dict(),
            "varnish_page": varnish_run.as_dict(),
            "ratio": round(varnish_run.requests_per_second / ceiling_run.requests_per_second, 2),
        },
        "edit_to_served": _summary(edits),
        "vote_to_served": _summary(votes),
        "vote_debounce_s": PurgeSettings().vote_debounce,
    }


def report(result: dict[str, Any]) -> str:
    t = result["throughput"]
    e, v = result["edit_to_served"], result["vote_to_served"]
    ceiling_rps = t["ceiling_static"]["requests_per_second"]
    varnish_rps = t["varnish_page"]["requests_per_second"]
    debounce = result["vote_debounce_s"]
    return "\n".join(
        [
            f"# Varnish in front of Verdict ({result['date']}, {result['machine']['cpus']} CPUs)",
            "",
            "| measure | value |",
            "|---|---|",
            f"| HTTP ceiling (static JSON, uvicorn) | {ceiling_rps:.0f} req/s |",
            f"| the comparison page from Varnish | {varnish_rps:.0f} req/s |",
            f"| **Varnish / ceiling** | **{t['ratio']:.2f}x** |",
            f"| edit to served (webhook, sync pass, purge), n={e['n']} | {_ms(e)} |",
            f"| vote to served (purge debounce {debounce} s), n={v['n']} | {_ms(v)} |",
            "",
        ]
    )


def _ms(summary: dict[str, float]) -> str:
    return f"p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, max {summary['max_ms']} ms"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--votes", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0, help="each wrk run")
    args = parser.parse_args()
    result = asyncio.run(main(args))
    text = report(result)
    print(text)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"varnish-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"varnish-{stamp}.md").write_text(text)
