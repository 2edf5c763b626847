"""Helpers for the hardening tests: the API app over the demo database with chosen settings."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from verdict.settings import Settings

AppClient = Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]
NORMAL_QUERY = '{ comparison(slug: "code-llama-4-vs-mistral-code") { title } }'


@pytest.fixture
def app_client(demo_db: Settings) -> AppClient:
    """``async with app_client(max_depth=5, mode=...) as http``: ApiSettings fields as keywords,
    plus ``settings=`` overrides of the outer Settings."""

    @contextlib.asynccontextmanager
    async def make(
        settings: dict[str, Any] | None = None, **api: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        configured = dataclasses.replace(demo_db, **(settings or {}))
        app = create_app(configured, api=ApiSettings(**api), manage_database=False)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://verdict.test"
            ) as http:
                yield http
        finally:
            await app.state.voting.stop()  # closes its Redis connections (no lifespan here)

    return make


async def assert_still_serving(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": NORMAL_QUERY})
    assert response.status_code == 200
    assert response.json()["data"] == {"comparison": {"title": "Code Llama 4 vs Mistral Code"}}
