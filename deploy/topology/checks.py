"""The four checks of the multi-replica design, each against the running topology.

(a) one writer: exactly one worker holds the advisory lock and syncs; SIGKILL it and the standby
    takes over within seconds; the killed worker, restarted, stands by.
(b) exact votes: 200 distinct voters over both API processes; both APIs, the vote rows, the
    tallies and `verdict recount --dry-run` agree with the expected counts.
(c) live fan-out: a subscription on one API process sees a vote cast on the other (both ways).
(d) CMS change: a PATCH in Directus reaches both API processes after one webhook-driven sync.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import aiohttp
import asyncpg

from cms_sync.lock import ADVISORY_KEY
from deploy.topology.processes import Child, TopologyError, run_once
from deploy.topology.stack import Topology
from deploy.topology.votes import Votes

HOLDING = r"sync worker: holding the writer lock"
STANDING_BY = r"sync worker: another worker syncs; standing by"
PASS_DONE = r"^(full|incremental)( \(interrupted\))? sync: \d+ applied"
APPLIED = r"^(full|incremental) sync: [1-9]\d* applied"
MAX_TAKEOVER_SECONDS = 10.0
VOTERS = 200


@dataclass
class Result:
    name: str
    passed: bool = False
    details: list[str] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def note(self, text: str) -> None:
        self.details.append(text)


async def _lock_holders(top: Topology) -> int:
    conn = await asyncpg.connect(top.asyncpg_dsn())
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database() "
            "AND l.classid = ($1::bigint >> 32)::oid "
            "AND l.objid = ($1::bigint & 4294967295)::oid",
            ADVISORY_KEY,
        )
    finally:
        await conn.close()
    return count


async def _hint(top: Topology, http: aiohttp.ClientSession) -> None:
    """What Directus's flow sends, through the fan-out."""
    headers = {"X-Verdict-Webhook-Secret": top.webhook_secret}
    body = {"event": "tools.items.update", "collection": "tools", "keys": ["0"]}
    async with http.post(top.fanout_url, json=body, headers=headers) as response:
        if response.status != 202:
            raise TopologyError(f"fan-out answered {response.status}: {await response.text()}")


def _expect(result: Result, ok: bool, text: str) -> None:
    result.note(("ok   " if ok else "FAIL ") + text)
    if not ok:
        raise AssertionError(text)


async def single_writer(top: Topology, http: aiohttp.ClientSession, result: Result) -> None:
    first = await asyncio.wait_for(
        asyncio.wait(
            [asyncio.ensure_future(w.wait_for(HOLDING, within=60)) for w in top.workers],
            return_when=asyncio.FIRST_COMPLETED,
        ),
        70,
    )
    for pending in first[1]:
        pending.cancel()
    active = next(w for w in top.workers if w.matching(HOLDING))
    standby = next(w for w in top.workers if w is not active)
    await active.wait_for(PASS_DONE, within=120)
    await standby.wait_for(STANDING_BY, within=15)
    _expect(result, await _lock_holders(top) == 1, "exactly one advisory-lock holder")
    for _ in range(3):
        sent = time.monotonic()
        await _hint(top, http)
        await active.wait_for(PASS_DONE, within=30, since=sent)
    passes = len(active.matching(PASS_DONE))
    _expect(result, not standby.matching(PASS_DONE), f"{standby.name} ran no pass")
    _expect(result, passes >= 4, f"{active.name} ran {passes} passes (initial + 3 webhooks)")
    absorbed = len(standby.matching(r"webhook: tools changed"))
    result.note(f"     {standby.name} received {absorbed} webhook hints and stood by")

    killed_at = active.kill()
    await active.wait_exited()
    took = await standby.wait_for(HOLDING, within=30, since=killed_at)
    synced = await standby.wait_for(PASS_DONE, within=60, since=killed_at)
    takeover = took.at - killed_at
    result.figures["takeover_seconds"] = round(takeover, 2)
    result.figures["takeover_to_first_pass_seconds"] = round(synced.at - killed_at, 2)
    _expect(
        result,
        takeover <= MAX_TAKEOVER_SECONDS,
        f"{standby.name} took the lock {takeover:.2f}s after SIGKILL of {active.name} "
        f"(first pass done after {synced.at - killed_at:.2f}s)",
    )
    _expect(
        result, await _lock_holders(top) == 1, "exactly one advisory-lock holder after takeover"
    )
    restarted = await top.start_worker(top.workers.index(active))
    await restarted.wait_for(STANDING_BY, within=15)
    _expect(result, not restarted.matching(PASS_DONE), f"restarted {active.name} stands by")


async def exact_votes(top: Topology, votes: Votes, result: Result) -> None:
    slug, sides = await votes.sides(0)
    expected = {sides[0]: 0, sides[1]: 0}
    plan: list[tuple[int, str]] = []
    for i in range(VOTERS):
        tool = sides[0] if i % 3 else sides[1]
        expected[tool] += 1
        plan.append((i, tool))
    started = time.monotonic()
    outcomes = await votes.cast_many(slug, plan)
    result.figures["votes_per_second"] = round(VOTERS / (time.monotonic() - started), 1)
    bad = [o for o in outcomes if o != "VoteSuccess"]
    _expect(result, not bad, f"{VOTERS} votes cast, half on each API: {len(bad)} not VoteSuccess")
    replayed = await votes.replay(slug, plan[:20])
    _expect(result, all(o == "VoteSuccess" for o in replayed), "20 retries on the other API")
    for index, url in enumerate(top.api_urls):
        counts = await votes.counts(index, slug)
        _expect(result, counts == expected, f"{url} shows {counts}, expected {expected}")
    rows, tallies = await votes.database_counts(slug)
    _expect(result, rows == expected, f"vote rows {rows}")
    _expect(result, tallies == expected, f"vote_tally {tallies}")
    report = await run_once("recount", ("recount", "--dry-run"), top.api_env(), top.log_path)
    _expect(
        result, ", 0 differed" in report, f"verdict recount --dry-run: {report.splitlines()[-1]}"
    )


async def live_across(top: Topology, votes: Votes, result: Result) -> None:
    slug, sides = await votes.sides(1)
    for listener, caster in ((0, 1), (1, 0)):
        latency = await votes.vote_reaches_subscriber(slug, sides[0], listener, caster)
        result.figures[f"live_api{caster + 1}_to_api{listener + 1}_seconds"] = round(latency, 3)
        result.note(
            f"ok   subscriber on {top.api_urls[listener]} saw a vote cast on "
            f"{top.api_urls[caster]} after {latency * 1000:.0f} ms"
        )


async def cms_change(top: Topology, votes: Votes, result: Result) -> None:
    writer = next(w for w in top.workers if w.running and w.matching(HOLDING))
    standby = next(w for w in top.workers if w is not writer)
    marker = f"Edited in Directus by the topology check at {time.time():.0f}"
    slug = await votes.patch_first_tool(top.directus.url, top.directus.admin_token, marker)
    patched_at = time.monotonic()
    synced: list[str] = []
    line = await writer.wait_for(APPLIED, within=30, since=patched_at)
    for index in range(len(top.api_urls)):
        synced.append(await votes.tagline(index, slug))
    result.figures["cms_change_to_visible_seconds"] = round(line.at - patched_at, 2)
    _expect(
        result,
        all(tagline == marker for tagline in synced),
        f"tool {slug!r} changed in Directus: visible on both APIs after one pass of "
        f"{writer.name} ({line.at - patched_at:.2f}s after the PATCH; `{line.text}`)",
    )
    _expect(result, not standby.matching(PASS_DONE), f"{standby.name} (standby) ran no pass")


def describe(children: list[Child]) -> str:
    return "; ".join(f"{c.name} pid {c.pid} {'up' if c.running else 'down'}" for c in children)
