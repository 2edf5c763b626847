"""The body size limit on a tiny inline app: a declared or streamed body over the limit is a 413
with its code before the app reads it; one within the limit reaches the app whole."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from graphql_api.limits.body import BodySizeLimit

LIMIT = 1024


async def echo_length(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


def client() -> httpx.AsyncClient:
    app = BodySizeLimit(Starlette(routes=[Route("/", echo_length, methods=["GET", "POST"])]), LIMIT)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://limits.test")


async def chunks(total: int, size: int = 100) -> AsyncIterator[bytes]:
    """A body without Content-Length: the limit has to count what arrives."""
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


async def test_a_body_within_the_limit_reaches_the_app_whole() -> None:
    async with client() as http:
        assert (await http.post("/", content=b"x" * LIMIT)).text == str(LIMIT)
        streamed = await http.post("/", content=chunks(LIMIT))
        assert streamed.text == str(LIMIT)


async def test_a_declared_length_over_the_limit_is_refused() -> None:
    async with client() as http:
        response = await http.post("/", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BODY_TOO_LARGE"
    assert error["extensions"]["maxBytes"] == LIMIT


async def test_a_streamed_body_is_refused_once_it_passes_the_limit() -> None:
    async with client() as http:
        response = await http.post("/", content=chunks(LIMIT * 50))
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


async def test_reads_are_not_limited() -> None:
    async with client() as http:
        response = await http.request("GET", "/", headers={"content-length": str(LIMIT * 10)})
    assert response.status_code == 200
