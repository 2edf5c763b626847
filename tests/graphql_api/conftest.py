"""Fixtures of the API tests that vote (tests/graphql_api/votes/, and the client-address tests in
limits/): apps with vote settings of the test's choosing, and a Redis URL."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from graphql_api.votes.voter_settings import VoterSettings
from tests.support.services import require_redis
from tests.support.votes import AppFactory, unique_ip
from verdict.settings import Settings


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@pytest.fixture
async def vote_client(demo_db: Settings) -> AsyncIterator[AppFactory]:
    """Make clients for apps over the demo database, with settings overrides; the app's lifespan
    (which starts the live feed) runs for the test."""
    opened: list[tuple[httpx.AsyncClient, Any]] = []

    async def make(
        *,
        ip: str | None = None,
        voters: VoterSettings | None = None,
        base_url: str = "https://verdict.test",
        **overrides: Any,
    ) -> httpx.AsyncClient:
        overrides.setdefault("vote_limit_per_voter", 0)
        overrides.setdefault("vote_limit_per_ip", 0)
        settings = dataclasses.replace(demo_db, **overrides)
        api = ApiSettings(voters=voters or VoterSettings())
        app: Starlette = create_app(settings, api=api, manage_database=False)
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        transport = httpx.ASGITransport(app=app, client=(ip or unique_ip(), 4321))
        http = httpx.AsyncClient(transport=transport, base_url=base_url)
        opened.append((http, lifespan))
        return http

    yield make
    for http, lifespan in reversed(opened):
        await http.aclose()
        await lifespan.__aexit__(None, None, None)
