"""Directus's adapter (cms_sync.directus.adapter): its source reads through the mapping, its
receiver checks Directus's webhook secret."""

from __future__ import annotations

import dataclasses

import pytest

from cms_sync.directus.adapter import ADAPTER
from cms_sync.directus.source import DirectusSource
from cms_sync.mapping import load_mapping
from cms_sync.webhooks import SECRET_HEADER, WebhookRejected, WebhookRequest
from verdict.settings import Settings


def test_opens_a_directus_source_and_receives_its_webhooks() -> None:
    settings = Settings(database_url="sqlite://:memory:", cms_token="t")
    mapping = load_mapping("directus")
    assert isinstance(ADAPTER.open_source(settings, mapping, 50), DirectusSource)
    assert ADAPTER.missing_setting(settings) is None
    assert ADAPTER.missing_setting(dataclasses.replace(settings, cms_token=None)) is not None
    receiver = ADAPTER.receiver("s3cret", mapping)
    body = b'{"event": "items.update", "collection": "tools"}'
    good = WebhookRequest("POST", ADAPTER.webhook_path, {SECRET_HEADER.lower(): "s3cret"}, body)
    assert receiver.receive(good).collection == "tools"
    with pytest.raises(WebhookRejected):
        receiver.receive(dataclasses.replace(good, headers={SECRET_HEADER.lower(): "wrong"}))
