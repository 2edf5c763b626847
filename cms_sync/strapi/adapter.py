"""Strapi 5 as a CMS_KIND: its source, its webhook receiver and what it needs set."""

from __future__ import annotations

from cms_sync.adapters import Adapter
from cms_sync.mapping import Mapping
from cms_sync.strapi.hints import WEBHOOK_PATH, StrapiReceiver
from cms_sync.strapi.source import StrapiSource
from verdict.settings import Settings


def _open(settings: Settings, mapping: Mapping, page_size: int) -> StrapiSource:
    # Pages of page_size documents for the engine, read 100 a request (the request line's
    # length bounds the ids one GET can name).
    return StrapiSource(
        settings.cms_url,
        settings.cms_token,
        mapping=mapping,
        page_size=page_size,
        read_chunk=min(page_size, 100),
    )


def _receiver(secret: str, mapping: Mapping) -> StrapiReceiver:
    return StrapiReceiver(secret, mapping)


def _missing(settings: Settings) -> str | None:
    if not settings.cms_token:
        return "CMS_TOKEN is not set (the worker's read-only Strapi API token)"
    return None


ADAPTER = Adapter(
    kind="strapi",
    open_source=_open,
    receiver=_receiver,
    webhook_path=WEBHOOK_PATH,
    missing_setting=_missing,
)
