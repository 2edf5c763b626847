"""Strapi 5 as a CMS_KIND: its source, its webhook receiver and what it needs set."""

from __future__ import annotations

from cms_sync.adapters import Adapter
from cms_sync.mapping import Mapping
from cms_sync.strapi.hints import WEBHOOK_PATH, StrapiReceiver
from cms_sync.strapi.source import StrapiSource
from verdict.settings import Settings


def _open(settings: Settings, mapping: Mapping, page_size: int) -> StrapiSource:
    # Strapi reads documents 100 at a time by id (the request line's length), whatever the
    # engine's page size; page_size bounds it from below for small test pages.
    return StrapiSource(
        settings.cms_url, settings.cms_token, mapping=mapping, read_chunk=min(page_size, 100)
    )


def _receiver(secret: str, mapping: Mapping) -> StrapiReceiver:
    return StrapiReceiver(secret, mapping)


def _missing(settings: Settings) -> str | None:
    if not settings.cms_token:
        return "CMS_TOKEN is not set (the worker's read-only Strapi API token)"
    return None


ADAPTER = Adapter(
    kind="strapi",
    open_source=_open,  # type: ignore[arg-type]  # str ids until branch `ids` lands
    receiver=_receiver,
    webhook_path=WEBHOOK_PATH,
    missing_setting=_missing,
)
