"""Helpers for tests of the API app over the demo database with chosen settings (the
``app_client`` fixture in tests/conftest.py)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import httpx

AppClient = Callable[..., contextlib.AbstractAsyncContextManager[httpx.AsyncClient]]
NORMAL_QUERY = '{ comparison(slug: "code-llama-4-vs-mistral-code") { title } }'


async def assert_still_serving(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": NORMAL_QUERY})
    assert response.status_code == 200
    assert response.json()["data"] == {"comparison": {"title": "Code Llama 4 vs Mistral Code"}}
