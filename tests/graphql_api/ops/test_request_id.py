"""Request ids on a tiny inline app: a sane ``X-Request-Id`` is kept, anything else replaced, the
id is returned once on the response and is the one the request's log lines carry."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from graphql_api.ops.logs import request_id_var
from graphql_api.ops.request_id import RequestIds, request_id


async def show_ids(request: Request) -> PlainTextResponse:
    # What the handler sees in its scope and in the logging context; and a stale header of its
    # own, which the middleware must replace rather than repeat.
    text = f"{request_id(request.scope)} {request_id_var.get()}"
    return PlainTextResponse(text, headers={"x-request-id": "from-the-app"})


def client() -> httpx.AsyncClient:
    app = RequestIds(Starlette(routes=[Route("/", show_ids)]))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ids.test")


async def test_a_sane_id_is_kept_and_returned_once() -> None:
    async with client() as http:
        response = await http.get("/", headers={"x-request-id": "edge-42:abc.DEF_1"})
    assert response.headers.get_list("x-request-id") == ["edge-42:abc.DEF_1"]
    assert response.text == "edge-42:abc.DEF_1 edge-42:abc.DEF_1"
    assert request_id_var.get() == ""  # reset once the request is over


@pytest.mark.parametrize("given", [None, "", "has space", "x" * 129, 'quote"d', "semi;colon"])
async def test_a_missing_or_odd_id_is_replaced_by_a_fresh_one(given: str | None) -> None:
    headers = {} if given is None else {"x-request-id": given}
    async with client() as http:
        first = await http.get("/", headers=headers)
        second = await http.get("/", headers=headers)
    ids = [r.headers["x-request-id"] for r in (first, second)]
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert ids[0] != ids[1]
    assert first.text == f"{ids[0]} {ids[0]}"
