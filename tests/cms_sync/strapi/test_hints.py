"""Strapi webhooks: the secret header first, then an entry event read as a hint."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from cms_sync.mapping import load_mapping
from cms_sync.strapi.hints import Hints, StrapiReceiver, parse_hint
from cms_sync.webhooks import (
    SECRET_HEADER,
    WebhookHint,
    WebhookRejected,
    WebhookRequest,
    create_webhook_app,
)

MAPPING = load_mapping("strapi")
SECRET = "s3cret-value"


def _body(event: str = "entry.delete", uid: str = "api::tool.tool", **entry: Any) -> bytes:
    # Strapi 5's webhook body (services/webhook-runner.js with the document service's events).
    return orjson.dumps(
        {
            "event": event,
            "createdAt": "2026-12-04T16:42:14.690Z",
            "model": uid.rsplit(".", 1)[-1],
            "uid": uid,
            "entry": {"id": 3, "documentId": "dn90maa7n23o610kicqbktkb", **entry},
        }
    )


def _request(body: bytes, secret: str | None = SECRET) -> WebhookRequest:
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER.lower()] = secret
    return WebhookRequest("POST", "/webhooks/strapi", headers, body)


def test_a_delete_names_the_document() -> None:
    assert parse_hint(_body(), MAPPING) == WebhookHint(
        "tools", deleted=frozenset({"dn90maa7n23o610kicqbktkb"})
    )


def test_an_unpublish_names_a_changed_document_the_listing_cannot_see() -> None:
    hint = parse_hint(_body("entry.unpublish", "api::comparison-side.comparison-side"), MAPPING)
    assert hint == WebhookHint("comparison_sides", changed=frozenset({"dn90maa7n23o610kicqbktkb"}))


@pytest.mark.parametrize("event", ["entry.create", "entry.update", "entry.publish"])
def test_other_events_only_name_the_collection(event: str) -> None:
    assert parse_hint(_body(event, "api::review.review"), MAPPING) == WebhookHint("reviews")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        _body("media.create"),
        _body(uid="plugin::users-permissions.user"),
        _body(documentId=None),
        _body(documentId="../../etc"),
        _body(documentId="x" * 65),
    ],
)
def test_a_body_without_a_hint_is_a_400(body: bytes) -> None:
    with pytest.raises(WebhookRejected) as caught:
        parse_hint(body, MAPPING)
    assert caught.value.status == 400


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong", 403), ("s3cret-valuE", 403)])
def test_the_receiver_wants_the_secret_header(secret: str | None, status: int) -> None:
    receiver = StrapiReceiver(SECRET, MAPPING)
    with pytest.raises(WebhookRejected) as caught:
        receiver.receive(_request(_body(), secret))
    assert caught.value.status == status


def test_the_receiver_reads_an_authentic_hint() -> None:
    receiver = StrapiReceiver(SECRET, MAPPING)
    assert receiver.receive(_request(_body())).deleted == frozenset({"dn90maa7n23o610kicqbktkb"})
    assert receiver.replay_key(_request(_body())) is None


def test_hints_are_taken_once_and_a_deletion_cancels_a_pending_change() -> None:
    hints = Hints()
    hints.note_changed("tools", frozenset({"a", "b"}))
    hints.note_deleted("tools", frozenset({"b"}))
    assert len(hints) == 2
    assert hints.take_changed("tools") == {"a"}
    assert hints.take_deleted("tools") == {"b"}
    assert hints.take_changed("tools") == set()
    assert len(hints) == 0


async def test_the_worker_endpoint_hands_strapi_hints_to_the_source() -> None:
    """POST /webhooks/strapi: a delete and an unpublish reach the hint callback; a create only
    triggers a pass."""
    triggered: list[str] = []
    hints: list[WebhookHint] = []
    app = create_webhook_app(
        SECRET,
        triggered.append,
        receiver=lambda secret: StrapiReceiver(secret, MAPPING),
        path="/webhooks/strapi",
        on_deleted=hints.append,
    )
    client: TestClient[web.Request, web.Application]
    async with TestClient(TestServer(app)) as client:
        for event in ("entry.delete", "entry.unpublish", "entry.create"):
            response = await client.post(
                "/webhooks/strapi", data=_body(event), headers={SECRET_HEADER: SECRET}
            )
            assert response.status == 202
        refused = await client.post("/webhooks/strapi", data=_body(), headers={SECRET_HEADER: "x"})
        assert refused.status == 403
    document = frozenset({"dn90maa7n23o610kicqbktkb"})
    assert triggered == ["tools", "tools", "tools"]
    assert hints == [
        WebhookHint("tools", deleted=document),
        WebhookHint("tools", changed=document),
    ]
