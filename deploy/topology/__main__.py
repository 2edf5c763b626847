"""`scripts/topology-check`: start the topology, run the four checks, print pass or fail.

Exit status 0 when every check passed, 1 when one failed, 2 when the topology did not come up.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import traceback
from pathlib import Path

from deploy.topology.checks import Result
from deploy.topology.run import run_checks
from deploy.topology.stack import DEFAULT_POSTGRES, DEFAULT_REDIS, DEFAULT_WORK_DIR, Config

TOTAL_TIMEOUT = 900.0


def _say(message: str) -> None:
    print(message, flush=True)


async def _run(config: Config) -> list[Result]:
    """run_checks with a total timeout; SIGINT or SIGTERM stop it once, cleanly (a second one
    during the clean-up is ignored, so no process or database is left behind)."""
    checks = asyncio.ensure_future(run_checks(config, _say))
    loop = asyncio.get_running_loop()

    def interrupt() -> None:
        if not checks.cancelling():
            _say("interrupted: stopping every process and dropping the database…")
            checks.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, interrupt)
    try:
        return await asyncio.wait_for(checks, TOTAL_TIMEOUT)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="topology-check",
        description="Start 2 API processes, 2 sync workers, Directus, on one PostgreSQL and one "
        "Redis on loopback, and check the multi-replica design.",
    )
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="server URL (a fresh database is created)"
    )
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="Redis URL")
    parser.add_argument(
        "--work-dir", type=Path, default=DEFAULT_WORK_DIR, help="logs and Directus data"
    )
    args = parser.parse_args(argv)
    config = Config(args.postgres, args.redis, args.work_dir)
    try:
        results = asyncio.run(_run(config))
    except asyncio.CancelledError:
        _say("topology check: FAIL (interrupted; every process stopped, the database dropped)")
        return 130
    except TimeoutError:
        _say(f"topology check: FAIL (not finished within {TOTAL_TIMEOUT:.0f}s; all stopped)")
        return 2
    except Exception as exc:  # Directus, provisioning, PostgreSQL or a process did not start
        traceback.print_exc()
        _say(f"topology check: FAIL (the topology did not come up: {type(exc).__name__}: {exc})")
        return 2
    passed = sum(r.passed for r in results)
    verdict = "PASS" if passed == len(results) else "FAIL"
    _say(f"topology check: {verdict} ({passed}/{len(results)} checks passed)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
