"""Strapi's adapter (cms_sync.strapi.adapter): CMS_KIND=strapi opens a StrapiSource through the
Strapi mapping, and its receiver reads Strapi's webhooks behind the secret header."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from cms_sync.adapters import prepare
from cms_sync.strapi.adapter import ADAPTER
from cms_sync.strapi.source import StrapiSource
from cms_sync.webhooks import SECRET_HEADER, WebhookHint, WebhookRejected, WebhookRequest
from verdict.settings import Settings


def test_cms_kind_strapi_opens_a_strapi_source_and_receives_its_webhooks() -> None:
    settings = Settings(database_url="sqlite://:memory:", cms_token="t", cms_kind="strapi")
    adapter, mapping = prepare(settings)
    assert adapter is ADAPTER
    assert mapping.cms == "strapi"
    assert adapter.webhook_path == "/webhooks/strapi"
    assert isinstance(adapter.open_source(settings, mapping, 500), StrapiSource)
    assert ADAPTER.missing_setting(dataclasses.replace(settings, cms_token=None)) is not None
    receiver = ADAPTER.receiver("s3cret", mapping)
    body = orjson.dumps(
        {"event": "entry.delete", "uid": "api::review.review", "entry": {"documentId": "abc123"}}
    )
    good = WebhookRequest("POST", "/webhooks/strapi", {SECRET_HEADER.lower(): "s3cret"}, body)
    assert receiver.receive(good) == WebhookHint("reviews", deleted=frozenset({"abc123"}))
    with pytest.raises(WebhookRejected):
        receiver.receive(dataclasses.replace(good, headers={SECRET_HEADER.lower(): "wrong"}))
