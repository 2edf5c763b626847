"""A revalidation receiver on loopback: checks signatures as a site would, records what came."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from devtools.varnish import free_port
from verdict.hooks.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


@dataclass(slots=True)
class Receiver:
    secret: str
    url: str = ""
    fail_next: int = 0
    """Answer this many requests with a 500 first."""
    attempts: list[str] = field(default_factory=list)
    """The idempotency key of every request, in order."""
    applied: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Payloads by idempotency key, each applied once (as a site drops a repeat)."""
    refused: int = 0

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        key = request.headers.get(IDEMPOTENCY_HEADER, "")
        self.attempts.append(key)
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not verify(self.secret, request.headers.get(TIMESTAMP_HEADER, ""), body, signature):
            self.refused += 1
            return web.json_response({"message": "Invalid signature"}, status=401)
        if self.fail_next:
            self.fail_next -= 1
            return web.json_response({"message": "try later"}, status=500)
        payload = orjson.loads(body)
        self.applied.setdefault(key, payload)
        return web.json_response({"revalidated": True, "now": 0})


@contextlib.asynccontextmanager
async def receiver(secret: str) -> AsyncIterator[Receiver]:
    state = Receiver(secret)
    app = web.Application()
    app.router.add_post("/api/revalidate", state.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    state.url = f"http://127.0.0.1:{port}/api/revalidate"
    try:
        yield state
    finally:
        await runner.cleanup()
