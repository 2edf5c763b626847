"""The API app on a test database, served in-process: over httpx, or on a real port (uvicorn on
the test's own event loop, so the app shares the test's database connections) for WebSocket."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from cms_sync.directus.server import free_port
from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from verdict.settings import Settings


@contextlib.asynccontextmanager
async def app_for(
    settings: Settings, overrides: dict[str, Any] | None = None, **api: Any
) -> AsyncIterator[Starlette]:
    """The app on ``settings`` (with ``overrides``), ApiSettings fields as keywords."""
    app = create_app(
        dataclasses.replace(settings, **(overrides or {})),
        api=ApiSettings(**api),
        manage_database=False,
    )
    try:
        yield app
    finally:
        await app.state.voting.stop()


@contextlib.asynccontextmanager
async def client_for(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://verdict.test") as http:
        yield http


@contextlib.asynccontextmanager
async def served(app: Starlette) -> AsyncIterator[str]:
    """``app`` on a free local port until the block ends; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_config=None, log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
