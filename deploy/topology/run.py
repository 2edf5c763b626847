"""Bring the topology up, run the four checks in order, report each, tear it all down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import aiohttp

from deploy.topology import checks
from deploy.topology.checks import Result
from deploy.topology.processes import TopologyError
from deploy.topology.stack import Config, Topology, topology
from deploy.topology.votes import Votes

CHECK_TIMEOUT = 180.0


async def run_checks(config: Config, say: Callable[[str], None] = print) -> list[Result]:
    """Bring the topology up, run every check in order, tear it down; the results."""
    results: list[Result] = []
    async with (
        topology(config, say) as top,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http,
    ):
        votes = Votes(http, top.api_urls, top.asyncpg_dsn())
        plan: list[tuple[str, Callable[[Topology, Result], Awaitable[None]]]] = [
            (
                "(a) one sync writer, standby takes over",
                lambda t, r: checks.single_writer(t, http, r),
            ),
            ("(b) votes on both APIs tally exactly", lambda t, r: checks.exact_votes(t, votes, r)),
            (
                "(c) subscription sees the other API's votes",
                lambda t, r: checks.live_across(t, votes, r),
            ),
            ("(d) CMS change visible on both APIs", lambda t, r: checks.cms_change(t, votes, r)),
        ]
        for name, check in plan:
            result = Result(name)
            results.append(result)
            started = time.monotonic()
            try:
                await asyncio.wait_for(check(top, result), CHECK_TIMEOUT)
                result.passed = True
            except AssertionError as exc:
                if not (result.details and result.details[-1].startswith("FAIL")):
                    result.note(f"FAIL {exc}")
            except (TopologyError, TimeoutError, aiohttp.ClientError) as exc:
                result.note(f"FAIL {type(exc).__name__}: {exc}")
            say(_report(result, time.monotonic() - started))
            say(f"     processes: {checks.describe([*top.workers, *top.apis])}")
    return results


def _report(result: Result, seconds: float) -> str:
    lines = [f"{'PASS' if result.passed else 'FAIL'} {result.name} ({seconds:.1f}s)"]
    lines += [f"     {detail}" for detail in result.details if detail]
    if result.figures:
        lines.append("     " + ", ".join(f"{k}={v}" for k, v in result.figures.items()))
    return "\n".join(lines)
