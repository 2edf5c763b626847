"""Stand-ins for the hosted purge APIs (Fastly, Cloudflare) on loopback.

They accept only the documented request shapes and answer with the documented JSON:

- Fastly, purge by surrogate keys: ``POST /service/{service_id}/purge`` with a ``Fastly-Key``
  header and either a ``Surrogate-Key: k1 k2`` header or a ``{"surrogate_keys": [...]}`` body
  (at most 256 keys); answers ``{key: purge id}``.
- Cloudflare, purge by cache tag: ``POST /client/v4/zones/{zone_id}/purge_cache`` with
  ``Authorization: Bearer <token>`` and ``{"tags": [...]}`` (at most 30 here); answers the
  v4 envelope ``{"success", "errors", "messages", "result": {"id"}}``.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from devtools.varnish import free_port

SERVICE_ID = "SU1Z0isxPaozGVKXdv0eY"
ZONE_ID = "023e105f4ecef8ad9ca31a8372d0c353"
TOKEN = "standin-token"


@dataclass(slots=True)
class Recorded:
    base: str = ""
    purged: list[list[str]] = field(default_factory=list)
    """The keys of each accepted purge request."""
    fail_next: int = 0
    """Answer this many requests with a 503 first (fault injection)."""


def _cloudflare(success: bool, errors: list[dict[str, Any]], result: Any) -> dict[str, Any]:
    return {"success": success, "errors": errors, "messages": [], "result": result}


def fastly_app(state: Recorded) -> web.Application:
    ids = itertools.count(1)

    async def purge(request: web.Request) -> web.Response:
        if request.match_info["service_id"] != SERVICE_ID:
            return web.json_response(
                {"msg": "Record not found", "detail": "Cannot find service"}, status=404
            )
        if request.headers.get("Fastly-Key") != TOKEN:
            return web.json_response(
                {"msg": "Provided credentials are missing or invalid"}, status=401
            )
        if state.fail_next:
            state.fail_next -= 1
            return web.json_response({"msg": "Service Unavailable"}, status=503)
        if "Surrogate-Key" in request.headers:
            keys = request.headers["Surrogate-Key"].split()
        else:
            body = await request.json()
            given = body.get("surrogate_keys") if isinstance(body, dict) else None
            if not isinstance(given, list) or not all(isinstance(k, str) for k in given):
                return web.json_response(
                    {"msg": "Bad request", "detail": "surrogate_keys"}, status=400
                )
            keys = [str(k) for k in given]
        if not keys or len(keys) > 256:
            return web.json_response({"msg": "Bad request", "detail": "1 to 256 keys"}, status=400)
        state.purged.append(list(keys))
        return web.json_response({k: f"108-1391560174-{next(ids)}" for k in keys})

    app = web.Application()
    app.router.add_post("/service/{service_id}/purge", purge)
    return app


def cloudflare_app(state: Recorded) -> web.Application:
    async def purge(request: web.Request) -> web.Response:
        if request.match_info["zone_id"] != ZONE_ID:
            return web.json_response(
                _cloudflare(False, [{"code": 7003, "message": "Could not route to /zones"}], None),
                status=404,
            )
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response(
                _cloudflare(False, [{"code": 10000, "message": "Authentication error"}], None),
                status=403,
            )
        if state.fail_next:
            state.fail_next -= 1
            return web.json_response(
                _cloudflare(False, [{"code": 1001, "message": "busy"}], None), status=503
            )
        body = await request.json()
        tags = body.get("tags") if isinstance(body, dict) else None
        if not isinstance(tags, list) or not tags or len(tags) > 30:
            return web.json_response(
                _cloudflare(
                    False, [{"code": 1012, "message": "Request must contain 1 to 30 tags"}], None
                ),
                status=400,
            )
        state.purged.append([str(t) for t in tags])
        return web.json_response(_cloudflare(True, [], {"id": ZONE_ID}))

    app = web.Application()
    app.router.add_post("/client/v4/zones/{zone_id}/purge_cache", purge)
    return app


@contextlib.asynccontextmanager
async def standin(app: web.Application, state: Recorded) -> AsyncIterator[Recorded]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    state.base = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()
