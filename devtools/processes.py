"""Stopping the child processes that tests and benchmarks start (servers, Varnish)."""

from __future__ import annotations

import asyncio


async def stop(process: asyncio.subprocess.Process, *, grace: float = 10) -> None:
    """Terminate ``process`` if it still runs; kill it if it has not exited within ``grace``
    seconds (a server stuck in shutdown must not hang the test run)."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout=grace)
        except TimeoutError:
            process.kill()
            await process.wait()
