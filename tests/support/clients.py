"""HTTP clients of the API app over a test database (``api_client``; the ``app_client`` fixture in
tests/conftest.py makes them with chosen settings), and a check that the app still serves."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable

import httpx

from graphql_api.app import create_app
from graphql_api.settings import ApiSettings
from verdict.settings import Settings

AppClient = Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]
NORMAL_QUERY = '{ comparison(slug: "code-llama-4-vs-mistral-code") { title } }'


async def assert_still_serving(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": NORMAL_QUERY})
    assert response.status_code == 200
    assert response.json()["data"] == {"comparison": {"title": "Code Llama 4 vs Mistral Code"}}


@contextlib.asynccontextmanager
async def api_client(
    settings: Settings, api: ApiSettings | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for a new API app on ``settings`` (its database already open), with the
    API's default settings unless ``api`` is given."""
    app = create_app(settings, api=api or ApiSettings(), manage_database=False)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://verdict.test"
        ) as http:
            yield http
    finally:
        await app.state.voting.stop()
