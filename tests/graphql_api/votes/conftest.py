"""Vote test fixtures: apps with vote settings of the test's choosing, and a Redis URL."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from graphql_api.app import create_app
from tests.support.services import require_service
from tests.support.votes import AppFactory, unique_ip
from verdict.settings import Settings

REDIS_URL = os.environ.get("VERDICT_TEST_REDIS_URL", "")


@pytest.fixture
def redis_url() -> str:
    if not REDIS_URL:
        require_service("Redis", "VERDICT_TEST_REDIS_URL")
    return REDIS_URL


@pytest.fixture
async def vote_client(demo_db: Settings) -> AsyncIterator[AppFactory]:
    """Make clients for apps over the demo database, with settings overrides; the app's lifespan
    (which starts the live feed) runs for the test."""
    opened: list[tuple[httpx.AsyncClient, Any]] = []

    async def make(*, ip: str | None = None, **overrides: Any) -> httpx.AsyncClient:
        overrides.setdefault("vote_limit_per_voter", 0)
        overrides.setdefault("vote_limit_per_ip", 0)
        settings = dataclasses.replace(demo_db, **overrides)
        app: Starlette = create_app(settings, manage_database=False)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        transport = httpx.ASGITransport(app=app, client=(ip or unique_ip(), 4321))
        http = httpx.AsyncClient(transport=transport, base_url="https://verdict.test")
        opened.append((http, lifespan))
        return http

    yield make
    for http, lifespan in reversed(opened):
        await http.aclose()
        await lifespan.__aexit__(None, None, None)
