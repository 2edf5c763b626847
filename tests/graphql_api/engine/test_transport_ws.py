"""graphql-transport-ws with the HTTP endpoint's checks: malformed messages close with 4400,
refusals come as an ``error`` message with a code, the body limit and trusted documents hold."""

from __future__ import annotations

from typing import Any

import aiohttp
import orjson

from graphql_api.persisted.manifest import load
from tests.support.apps import app_for, served
from verdict.settings import Settings

PROTOCOL = ["graphql-transport-ws"]


async def _session(base: str, http: aiohttp.ClientSession) -> aiohttp.ClientWebSocketResponse:
    ws = await http.ws_connect(base.replace("http", "ws", 1) + "/graphql", protocols=PROTOCOL)
    await ws.send_json({"type": "connection_init"})
    assert (await ws.receive_json(timeout=5))["type"] == "connection_ack"
    return ws


async def _close_code(ws: aiohttp.ClientWebSocketResponse, reason: str = "") -> int | None:
    frame = await ws.receive(timeout=5)
    assert frame.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED), frame
    assert reason in str(frame.extra), frame
    return ws.close_code


async def _error_codes(ws: aiohttp.ClientWebSocketResponse, payload: Any) -> list[str]:
    await ws.send_json({"id": "1", "type": "subscribe", "payload": payload})
    message = await ws.receive_json(timeout=5)
    assert message["type"] == "error", message
    assert message["id"] == "1"
    return [e["extensions"]["code"] for e in message["payload"]]


async def test_malformed_messages_close_with_4400(demo_db: Settings) -> None:
    async with app_for(demo_db) as app, served(app) as base, aiohttp.ClientSession() as http:
        for message in ("[]", "null", "1", '{"type": 5}', '{"type": "subscribe", "id": 7}'):
            ws = await _session(base, http)
            await ws.send_str(message)
            assert await _close_code(ws) == 4400, message
            await ws.close()


async def test_refusals_are_error_messages_with_codes(demo_db: Settings) -> None:
    async with (
        app_for(demo_db, max_depth=3) as app,
        served(app) as base,
        aiohttp.ClientSession() as http,
    ):
        ws = await _session(base, http)
        cases: list[tuple[Any, str]] = [
            (None, "BAD_REQUEST"),
            ("x", "BAD_REQUEST"),
            ({"query": "{ __typename }", "variables": [1]}, "BAD_REQUEST"),
            ({"query": "{ __typename }", "operationName": 5}, "BAD_REQUEST"),
            ({"query": "{ nope"}, "GRAPHQL_PARSE_FAILED"),
            ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
            (
                {"query": '{ comparison(slug: "x") { tool { sides { tool { name } } } } }'},
                "DEPTH_LIMIT_EXCEEDED",
            ),
            ({"query": "query A { __typename } query B { __typename }"}, "OPERATION_NAME_REQUIRED"),
        ]
        for payload, code in cases:
            assert await _error_codes(ws, payload) == [code], payload
        # The connection is still usable.
        await ws.send_json({"id": "2", "type": "subscribe", "payload": {"query": "{ __typename }"}})
        answer = await ws.receive_json(timeout=5)
        assert (answer["type"], answer["payload"]["data"]) == ("next", {"__typename": "Query"})
        await ws.close()


async def test_message_over_the_body_limit_closes(demo_db: Settings) -> None:
    async with (
        app_for(demo_db, max_body_bytes=2048) as app,
        served(app) as base,
        aiohttp.ClientSession() as http,
    ):
        ws = await _session(base, http)
        query = "{ __typename " + " " * 4000 + "}"
        await ws.send_str(
            orjson.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}).decode()
        )
        assert await _close_code(ws, "BODY_TOO_LARGE") == 4400


async def test_trusted_documents_only_over_websocket(demo_db: Settings) -> None:
    sha256, _ = next(iter(load().items()))
    async with (
        app_for(demo_db, trusted_documents="only") as app,
        served(app) as base,
        aiohttp.ClientSession() as http,
    ):
        ws = await _session(base, http)
        assert await _error_codes(ws, {"query": "{ __typename }"}) == [
            "PERSISTED_QUERY_NOT_ALLOWED"
        ]
        await ws.send_json(
            {
                "id": "t",
                "type": "subscribe",
                "payload": {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256}}},
            }
        )
        message = await ws.receive_json(timeout=5)
        assert message["id"] == "t"
        assert message["type"] in ("next", "error"), message
        if message["type"] == "error":  # a manifest document may need variables: not a refusal
            codes = [e["extensions"]["code"] for e in message["payload"]]
            assert "PERSISTED_QUERY_NOT_ALLOWED" not in codes, message
        await ws.close()
