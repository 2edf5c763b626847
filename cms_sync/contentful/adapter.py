"""Contentful as a CMS_KIND: its Sync API source, its signed webhooks, what it needs set."""

from __future__ import annotations

from cms_sync.adapters import Adapter
from cms_sync.contentful.settings import ContentfulConfigError, ContentfulSettings
from cms_sync.contentful.source import MAX_PAGE_SIZE, ContentfulSource
from cms_sync.contentful.webhooks import WEBHOOK_PATH, ContentfulReceiver
from cms_sync.mapping import Mapping
from verdict.settings import Settings


def _open(_settings: Settings, mapping: Mapping, page_size: int) -> ContentfulSource:
    config = ContentfulSettings.from_env()
    return ContentfulSource(
        config.space_id,
        config.access_token,
        environment=config.environment,
        base_url=config.base_url,
        page_size=min(page_size, MAX_PAGE_SIZE),
        mapping=mapping,
    )


def _receiver(secret: str, mapping: Mapping) -> ContentfulReceiver:
    return ContentfulReceiver(secret, mapping)


def _missing(_settings: Settings) -> str | None:
    try:
        ContentfulSettings.from_env()
    except ContentfulConfigError as exc:
        return str(exc)
    return None


def _locale(_settings: Settings) -> str:
    return ContentfulSettings.from_env().locale


ADAPTER = Adapter(
    kind="contentful",
    open_source=_open,
    receiver=_receiver,
    webhook_path=WEBHOOK_PATH,
    missing_setting=_missing,
    locale=_locale,
)
