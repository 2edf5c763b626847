"""Liveness (``/healthz``: the process answers) and readiness (``/readyz``: its dependencies do)."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise import Tortoise

CHECK_TIMEOUT_SECONDS = 2.0


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


class Readiness:
    """200 when the database (and Redis, when configured) answer within 2 s, else 503."""

    def __init__(self, redis: Redis | None) -> None:
        self._redis = redis

    async def _database(self) -> None:
        await Tortoise.get_connection("default").execute_query("SELECT 1")

    async def _cache(self) -> None:
        if self._redis is not None:
            await self._redis.ping()

    async def endpoint(self, _: Request) -> Response:
        checks: dict[str, str] = {}
        for name, probe in (("database", self._database), ("redis", self._cache)):
            if name == "redis" and self._redis is None:
                checks[name] = "not configured"
                continue
            try:
                await asyncio.wait_for(probe(), CHECK_TIMEOUT_SECONDS)
                checks[name] = "ok"
            except Exception as exc:  # any failure means "not ready"
                checks[name] = f"down: {type(exc).__name__}"
        ready = all(v in ("ok", "not configured") for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )
