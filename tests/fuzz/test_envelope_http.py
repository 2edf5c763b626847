"""The request envelope over HTTP, fuzzed: POST bodies (raw bytes, any JSON), each envelope
field, the GET query string, the token headers, persisted-query extensions, and cursors and ids
after decoding. Never a 5xx, never an unhandled exception in the log, and the server still
answers the next request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote_from_bytes

import httpx
import pytest
from hypothesis import strategies as st

from tests.support import hostile
from tests.support.apps import app_for, client_for
from verdict.settings import Mode, Settings

GOOD = '{ comparison(slug: "code-llama-4-vs-mistral-code") { title } }'
PROD_SECRET = "fuzz-prod-secret-0123456789-abcdefghijklmnop"


@pytest.fixture(params=["dev", "prod"])
async def http(
    demo_db: Settings, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    overrides = {"mode": Mode.PROD, "secret_key": PROD_SECRET} if request.param == "prod" else {}
    async with app_for(demo_db, overrides) as app, client_for(app) as client:
        yield client


def _check(response: httpx.Response, sent: object) -> None:
    assert response.status_code < 500, (sent, response.status_code, response.text[:300])
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        items = body if isinstance(body, list) else [body]
        for item in items:
            for error in item.get("errors") or ():
                assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", (sent, error)


async def _still_serving(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json={"query": GOOD})
    assert response.status_code == 200, response.text[:300]
    assert response.json()["data"]["comparison"]["title"] == "Code Llama 4 vs Mistral Code"


async def _run(http: httpx.AsyncClient, sends: list[dict[str, Any]]) -> None:
    with hostile.captured_logs() as logs:
        for send in sends:
            response = await http.request(**send)
            _check(response, send)
        await _still_serving(http)
    assert hostile.unhandled(logs.records) == []


def _post(body: bytes, **headers: str) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": "/graphql",
        "content": body,
        "headers": {"content-type": "application/json", **headers},
    }


async def test_raw_post_bodies(http: httpx.AsyncClient) -> None:
    bodies = hostile.draw(hostile.raw_bodies)
    await _run(http, [_post(body) for body in bodies])


async def test_each_envelope_field(http: httpx.AsyncClient) -> None:
    envelopes = hostile.draw(st.tuples(hostile.envelopes, st.booleans()))
    sends = [_post(hostile.encode(envelope, ascii_only)) for envelope, ascii_only in envelopes]
    # The same envelopes as batches of two.
    sends += [
        _post(hostile.encode([a, b], True))
        for (a, _), (b, _) in zip(envelopes[::2], envelopes[1::2], strict=False)
    ]
    await _run(http, sends)


def _query_string(params: dict[str, bytes]) -> str:
    return "&".join(f"{key}={quote_from_bytes(value)}" for key, value in params.items())


async def test_get_query_string(http: httpx.AsyncClient) -> None:
    def as_param(value: object) -> bytes:
        if isinstance(value, str):
            return value.encode("utf-8", "surrogatepass")
        return hostile.encode(value, ascii_only=False)

    values = st.one_of(hostile.field_values, st.binary(max_size=60))
    params = hostile.draw(
        st.dictionaries(
            st.sampled_from(["query", "variables", "operationName", "extensions"]),
            values.map(lambda v: v if isinstance(v, bytes) else as_param(v)),
            max_size=4,
        )
    )
    sends = [
        {
            "method": "GET",
            "url": "/graphql?" + _query_string(p),
            "headers": {"accept": "application/json"},
        }
        for p in params
    ]
    await _run(http, sends)


async def test_token_headers_and_cookies(http: httpx.AsyncClient) -> None:
    values = hostile.draw(
        st.tuples(st.sampled_from(["preview", "voter", "cookie"]), hostile.header_values)
    )
    sends = []
    for kind, value in values:
        header = {
            "preview": "x-verdict-preview",
            "voter": "x-verdict-voter",
            "cookie": "cookie",
        }[kind]
        raw = value if isinstance(value, bytes) else value.encode()
        if kind == "cookie":
            raw = b"verdict_voter=" + raw
        sends.append(
            {
                "method": "POST",
                "url": "/graphql",
                "content": b'{"query": "{ __typename }"}',
                "headers": [(b"content-type", b"application/json"), (header.encode(), raw)],
            }
        )
    await _run(http, sends)


async def test_cursors_and_ids_after_decoding(http: httpx.AsyncClient) -> None:
    payloads = hostile.draw(hostile.decoded_payloads)
    sends = []
    for payload in payloads:
        encoded = hostile.b64(payload)
        sends.append(
            _post(
                hostile.encode(
                    {
                        "query": "query P($a: String) { tools(first: 2, after: $a) { totalCount } "
                        "reviewers(after: $a) { totalCount } }",
                        "variables": {"a": encoded},
                    },
                    True,
                )
            )
        )
        sends.append(
            _post(
                hostile.encode(
                    {
                        "query": "query N($id: ID!) { node(id: $id) { id } }",
                        "variables": {"id": encoded},
                    },
                    True,
                )
            )
        )
    await _run(http, sends)
