"""A tiny webhook fan-out: Directus's flow can POST to one URL, the workers are several.

Every POST is forwarded, body and credential headers unchanged, to every worker; it answers 202
when at least one worker accepted it (the one holding the writer lock acts on it, a standby
absorbs it), 502 when none did. Dead workers are expected (one is SIGKILLed by the check) and
only counted. The workers still check the shared secret themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

FORWARDED_HEADERS = (
    "Content-Type",
    "X-Verdict-Webhook-Secret",
    "X-Verdict-Signature",
    "X-Verdict-Timestamp",
)
PATH = "/webhooks/directus"


@dataclass
class FanOutStats:
    received: int = 0
    accepted: dict[str, int] = field(default_factory=dict)
    """Per worker URL: deliveries it answered with a 2xx."""
    failed: dict[str, int] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def fan_out(targets: Sequence[str], port: int) -> AsyncIterator[FanOutStats]:
    """Serve the fan-out on 127.0.0.1:``port`` until the block ends."""
    stats = FanOutStats()
    timeout = aiohttp.ClientTimeout(total=5, connect=1)
    async with aiohttp.ClientSession(timeout=timeout) as http:

        async def forward(url: str, body: bytes, headers: dict[str, str]) -> bool:
            try:
                async with http.post(url, data=body, headers=headers) as response:
                    ok = 200 <= response.status < 300
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            book = stats.accepted if ok else stats.failed
            book[url] = book.get(url, 0) + 1
            return ok

        async def handle(request: web.Request) -> web.Response:
            stats.received += 1
            body = await request.read()
            headers = {h: request.headers[h] for h in FORWARDED_HEADERS if h in request.headers}
            results = await asyncio.gather(*(forward(url, body, headers) for url in targets))
            if any(results):
                return web.json_response({"status": "forwarded"}, status=202)
            return web.json_response({"error": "no worker accepted the webhook"}, status=502)

        app = web.Application(client_max_size=256 * 1024)
        app.router.add_post(PATH, handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, "127.0.0.1", port).start()
            yield stats
        finally:
            await runner.cleanup()
