"""graphql-transport-ws messages, fuzzed against a real server: any JSON (or none) as a message,
any payload in ``subscribe``. The server answers per the protocol (a message, or a 4xxx close),
never a 1006/1011 close or an unhandled exception, and still serves afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from hypothesis import strategies as st

from tests.support import hostile
from tests.support.apps import app_for, served
from verdict.settings import Settings

PROTOCOL = ["graphql-transport-ws"]
SUBSCRIBE = (
    'subscription { voteTally(comparisonSlug: "code-llama-4-vs-mistral-code") { __typename } }'
)
# Closes the protocol allows: bad message, unauthorised, duplicate id, too many inits.
PROTOCOL_CLOSES = {1000, 4400, 4401, 4403, 4409, 4429}


@pytest.fixture
async def base(demo_db: Settings) -> AsyncIterator[str]:
    async with app_for(demo_db) as app, served(app) as url:
        yield url.replace("http", "ws", 1) + "/graphql"


async def _exchange(http: aiohttp.ClientSession, base: str, messages: list[Any]) -> list[Any]:
    """Open, init, send ``messages`` (text frames), and collect what comes back until a short
    quiet spell or a close."""
    answers: list[Any] = []
    async with http.ws_connect(base, protocols=PROTOCOL) as ws:
        await ws.send_json({"type": "connection_init"})
        ack = await ws.receive_json(timeout=5)
        assert ack["type"] == "connection_ack"
        for message in messages:
            await ws.send_str(
                message if isinstance(message, str) else hostile.encode(message, True).decode()
            )
        while True:
            try:
                frame = await ws.receive(timeout=0.15)
            except TimeoutError:
                break
            if frame.type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSED,
                aiohttp.WSMsgType.CLOSING,
            ):
                break
            answers.append(frame.data)
        if ws.closed:
            assert ws.close_code in PROTOCOL_CLOSES, (messages, ws.close_code)
    return answers


async def _still_serving(http: aiohttp.ClientSession, base: str) -> None:
    async with http.ws_connect(base, protocols=PROTOCOL) as ws:
        await ws.send_json({"type": "connection_init"})
        assert (await ws.receive_json(timeout=10))["type"] == "connection_ack"
        await ws.send_json({"id": "ok", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        answer = await ws.receive_json(timeout=10)  # a database read: no quiet-spell timing
        assert answer["type"] == "next", answer


payloads = st.one_of(
    hostile.any_json,
    hostile.envelopes,
    st.fixed_dictionaries({"query": st.just(SUBSCRIBE), "variables": hostile.any_json}),
)
messages = st.one_of(
    hostile.any_json,
    hostile.hostile_text,
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["subscribe", "complete", "ping", "pong", "next"]),
            "id": hostile.any_json,
        }
    ),
    st.fixed_dictionaries({"type": st.just("subscribe"), "id": st.just("1"), "payload": payloads}),
    st.fixed_dictionaries({"type": st.just("connection_init"), "payload": hostile.any_json}),
)


async def test_websocket_messages(base: str) -> None:
    examples = hostile.draw(messages)
    async with aiohttp.ClientSession() as http:
        with hostile.captured_logs() as logs:
            for batch in hostile.chunks(examples, 1):  # one per connection: a close ends it
                await _exchange(http, base, batch)
            await _still_serving(http, base)
    assert hostile.unhandled(logs.records) == []
