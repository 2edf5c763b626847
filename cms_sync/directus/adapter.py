"""Directus as a CMS_KIND: its source, its webhook receiver and what it needs set."""

from __future__ import annotations

from cms_sync.adapters import Adapter
from cms_sync.directus.source import DirectusSource
from cms_sync.mapping import Mapping
from cms_sync.webhooks import WEBHOOK_PATH, DirectusReceiver
from verdict.settings import Settings


def _open(settings: Settings, mapping: Mapping, page_size: int) -> DirectusSource:
    return DirectusSource(
        settings.cms_url, settings.cms_token, page_size=page_size, mapping=mapping
    )


def _receiver(secret: str, _mapping: Mapping) -> DirectusReceiver:
    return DirectusReceiver(secret)


def _missing(settings: Settings) -> str | None:
    if not settings.cms_token:
        return "CMS_TOKEN is not set (the worker's read-only Directus token)"
    return None


ADAPTER = Adapter(
    kind="directus",
    open_source=_open,
    receiver=_receiver,
    webhook_path=WEBHOOK_PATH,
    missing_setting=_missing,
)
