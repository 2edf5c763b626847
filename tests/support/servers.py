"""Real `verdict` server processes (`serve` or `demo`) for multi-replica and browser tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import aiohttp

from cms_sync.directus.server import free_port
from devtools.processes import stop

VERDICT = Path(sys.executable).with_name("verdict")


@contextlib.asynccontextmanager
async def serve(database_url: str, *, command: str = "serve", **env: str) -> AsyncIterator[str]:
    """Run `verdict serve` (or `demo`) on a free port until the block ends; yields its base URL."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            str(VERDICT),
            command,
            "--port",
            str(port),
            env={**os.environ, "DATABASE_URL": database_url, **env},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            await _wait_healthy(process, base, log, command)
            yield base
        finally:
            await stop(process)


async def _wait_healthy(
    process: asyncio.subprocess.Process, base: str, log: IO[bytes], command: str
) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if process.returncode is not None:
                log.seek(0)
                raise RuntimeError(f"verdict {command} exited: {log.read().decode()[-2000:]}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(f"{base}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"verdict {command} did not answer /healthz")
