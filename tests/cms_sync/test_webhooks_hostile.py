"""Webhook credentials as an attacker sends them: bytes that are no UTF-8, timestamps that are no
numbers, a captured request sent again."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator

import orjson
import pytest
from aiohttp.test_utils import BaseTestServer, TestServer
from redis.asyncio import Redis

from cms_sync.replays import RedisReplays
from cms_sync.webhooks import (
    SECRET_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WEBHOOK_PATH,
    create_webhook_app,
    sign,
)
from tests.support.raw_http import raw_request
from tests.support.services import require_redis
from tests.support.webhook_triggers import SECRET, Triggers

EVENT = orjson.dumps({"event": "tools.items.update", "collection": "tools"})


@pytest.fixture
async def server() -> AsyncIterator[tuple[BaseTestServer, Triggers]]:
    triggers = Triggers()
    async with TestServer(create_webhook_app(SECRET, triggers)) as test_server:
        yield test_server, triggers


async def _send(
    server: BaseTestServer, headers: list[tuple[bytes, bytes]], body: bytes = EVENT
) -> int:
    assert server.host is not None
    assert server.port is not None
    return await raw_request(server.host, server.port, WEBHOOK_PATH, headers, body)


@pytest.mark.parametrize(
    "value", [b"\xff\xfe", SECRET.encode()[:-1] + b"\xe9", "sécret".encode()], ids=repr
)
async def test_non_ascii_secret_is_refused(
    server: tuple[BaseTestServer, Triggers], value: bytes
) -> None:
    test_server, triggers = server
    assert await _send(test_server, [(SECRET_HEADER.encode(), value)]) == 403
    assert triggers.collections == []


async def test_non_ascii_signature_is_refused(server: tuple[BaseTestServer, Triggers]) -> None:
    test_server, triggers = server
    stamp = str(int(time.time())).encode()
    headers = [(TIMESTAMP_HEADER.encode(), stamp), (SIGNATURE_HEADER.encode(), b"sha256=\xff" * 8)]
    assert await _send(test_server, headers) == 403
    assert triggers.collections == []


@pytest.mark.parametrize(
    "stamp", ["nan", "NaN", "inf", "-inf", "1e3", f"{time.time():.3f}", "+1", "1_7", "٣"]
)
async def test_timestamps_that_are_not_digits_are_refused(
    server: tuple[BaseTestServer, Triggers], stamp: str
) -> None:
    test_server, triggers = server
    headers = [
        (TIMESTAMP_HEADER.encode(), stamp.encode()),
        (SIGNATURE_HEADER.encode(), sign(SECRET, stamp, EVENT).encode()),
    ]
    assert await _send(test_server, headers) == 400
    assert triggers.collections == []


def _signed(stamp: int | None = None) -> list[tuple[bytes, bytes]]:
    text = str(int(time.time()) if stamp is None else stamp)
    return [
        (TIMESTAMP_HEADER.encode(), text.encode()),
        (SIGNATURE_HEADER.encode(), sign(SECRET, text, EVENT).encode()),
    ]


async def test_far_future_timestamp_is_refused(server: tuple[BaseTestServer, Triggers]) -> None:
    test_server, triggers = server
    assert await _send(test_server, _signed(int(time.time()) + 10**9)) == 401
    assert triggers.collections == []


async def test_a_replayed_signature_is_refused(server: tuple[BaseTestServer, Triggers]) -> None:
    test_server, triggers = server
    headers = _signed()
    assert await _send(test_server, headers) == 202
    assert await _send(test_server, headers) == 409
    assert triggers.collections == ["tools"]


async def test_replays_are_shared_through_redis() -> None:
    url = require_redis()
    redis = Redis.from_url(url)
    prefix = f"verdict:test:webhook:{uuid.uuid4().hex}:"
    one, two = Triggers(), Triggers()
    try:
        async with (
            TestServer(create_webhook_app(SECRET, one, replays=RedisReplays(redis, prefix))) as a,
            TestServer(create_webhook_app(SECRET, two, replays=RedisReplays(redis, prefix))) as b,
        ):
            headers = _signed()
            assert await _send(a, headers) == 202
            assert await _send(b, headers) == 409
        assert (one.collections, two.collections) == (["tools"], [])
    finally:
        keys = [key async for key in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
