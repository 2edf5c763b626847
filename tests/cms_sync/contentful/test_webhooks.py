"""Contentful's signed webhooks through the worker's web app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cms_sync.contentful.signing import SIGNATURE, TIMESTAMP, sign_request
from cms_sync.contentful.webhooks import WEBHOOK_PATH, ContentfulReceiver
from cms_sync.mapping import load_mapping
from cms_sync.webhooks import WebhookRejected, WebhookRequest, create_webhook_app

SECRET = "Q" * 64
NOW_MS = 1_800_000_000_000


def _body(content_type: str = "tool") -> bytes:
    sys = {
        "type": "Entry",
        "id": "tool-1",
        "contentType": {"sys": {"type": "Link", "linkType": "ContentType", "id": content_type}},
    }
    return orjson.dumps({"sys": sys, "fields": {}})


def _signed(
    topic: str = "ContentManagement.Entry.publish",
    body: bytes | None = None,
    *,
    at_ms: int = NOW_MS,
    secret: str = SECRET,
    path: str = WEBHOOK_PATH,
) -> tuple[dict[str, str], bytes]:
    payload = _body() if body is None else body
    headers = {
        "Content-Type": "application/vnd.contentful.management.v1+json",
        "X-Contentful-Topic": topic,
    }
    signed = sign_request(secret, "POST", path, headers, payload, timestamp_ms=at_ms)
    return headers | signed, payload


Client = TestClient[web.Request, web.Application]


def _receiver(secret: str = SECRET) -> ContentfulReceiver:
    return ContentfulReceiver(secret, load_mapping("contentful"), clock_ms=lambda: NOW_MS)


@pytest.fixture
async def app_client() -> AsyncIterator[tuple[Client, list[str]]]:
    triggered: list[str] = []
    app = create_webhook_app(
        SECRET,
        triggered.append,
        receiver=lambda secret: _receiver(secret),
        path=WEBHOOK_PATH,
    )
    async with TestClient(TestServer(app)) as client:
        yield client, triggered


async def test_a_signed_publish_schedules_a_sync(app_client: tuple[Client, list[str]]) -> None:
    client, triggered = app_client
    headers, body = _signed()
    response = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    assert response.status == 202
    assert triggered == ["tools"]


async def test_a_webhook_url_with_a_query_is_signed_with_it(
    app_client: tuple[Client, list[str]],
) -> None:
    client, triggered = app_client
    headers, body = _signed(path=f"{WEBHOOK_PATH}?space=abc&env=master")
    assert (
        await client.post(f"{WEBHOOK_PATH}?space=abc&env=master", data=body, headers=headers)
    ).status == 202
    headers, body = _signed(path=WEBHOOK_PATH)
    assert (await client.post(f"{WEBHOOK_PATH}?space=x", data=body, headers=headers)).status == 403
    assert triggered == ["tools"]


async def test_the_same_call_twice_is_a_replay(app_client: tuple[Client, list[str]]) -> None:
    client, triggered = app_client
    headers, body = _signed()
    assert (await client.post(WEBHOOK_PATH, data=body, headers=headers)).status == 202
    assert (await client.post(WEBHOOK_PATH, data=body, headers=headers)).status == 409
    assert triggered == ["tools"]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ("secret", 403),
        ("body", 403),
        ("stale", 401),
        ("unsigned", 401),
        ("topic", 403),
    ],
)
async def test_a_bad_call_is_refused_without_a_sync(
    app_client: tuple[Client, list[str]], change: str, status: int
) -> None:
    client, triggered = app_client
    headers, body = _signed(
        secret="W" * 64 if change == "secret" else SECRET,
        at_ms=NOW_MS - 31_000 if change == "stale" else NOW_MS,
    )
    if change == "body":
        body = _body("review")
    if change == "unsigned":
        headers = {k: v for k, v in headers.items() if k != SIGNATURE}
    if change == "topic":
        headers["X-Contentful-Topic"] = "ContentManagement.Entry.delete"
    response = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    assert response.status == status
    assert "error" in await response.json()
    assert triggered == []


async def test_other_types_hint_the_whole_stream(
    app_client: tuple[Client, list[str]],
) -> None:
    client, triggered = app_client
    headers, body = _signed("ContentManagement.Asset.publish")
    response = await client.post(WEBHOOK_PATH, data=body, headers=headers)
    assert response.status == 202
    assert triggered == ["*"]


async def test_an_unmapped_content_type_syncs_everything(
    app_client: tuple[Client, list[str]],
) -> None:
    client, triggered = app_client
    headers, body = _signed("ContentManagement.Entry.unpublish", _body("landingPage"))
    assert (await client.post(WEBHOOK_PATH, data=body, headers=headers)).status == 202
    assert triggered == ["*"]


def _check(headers: dict[str, str], body: bytes) -> None:
    request = WebhookRequest("POST", WEBHOOK_PATH, {k.lower(): v for k, v in headers.items()}, body)
    _receiver().receive(request)


@pytest.mark.parametrize(
    ("topic", "body", "status"),
    [
        ("Entry.publish", _body(), 400),
        ("", _body(), 400),
        ("ContentManagement.Entry.publish", b"not json", 400),
        ("ContentManagement.Entry.publish", b"[1]", 400),
    ],
)
def test_a_signed_call_that_makes_no_sense_is_a_400(topic: str, body: bytes, status: int) -> None:
    headers, payload = _signed(topic, body)
    with pytest.raises(WebhookRejected) as refused:
        _check(headers, payload)
    assert refused.value.status == status


async def test_without_a_secret_the_route_is_disabled() -> None:
    triggered: list[str] = []
    app = create_webhook_app(None, triggered.append, receiver=_receiver, path=WEBHOOK_PATH)
    async with TestClient(TestServer(app)) as client:
        headers, body = _signed()
        assert (await client.post(WEBHOOK_PATH, data=body, headers=headers)).status == 503
    assert triggered == []


def test_the_replay_key_is_the_signature() -> None:
    headers, body = _signed()
    lowered = {k.lower(): v for k, v in headers.items()}
    request = WebhookRequest("POST", WEBHOOK_PATH, lowered, body)
    assert _receiver().replay_key(request) == "contentful:" + lowered["x-contentful-signature"]


def test_a_timestamp_in_seconds_is_stale() -> None:
    headers, body = _signed(at_ms=NOW_MS // 1000)
    with pytest.raises(WebhookRejected) as refused:
        _check(headers | {TIMESTAMP: str(NOW_MS // 1000)}, body)
    assert refused.value.status == 401
