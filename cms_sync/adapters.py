"""Which CMS the worker reads (``CMS_KIND``), and what each adapter brings.

An adapter knows its CMS only: how to list changes and deletions, page, authenticate, and verify
webhooks. It opens a ``Source`` that hands the engine canonical entries through the CMS's
declarative mapping (``cms_sync.mapping``, ``schema/cms/<kind>.json``); the engine, the apply,
checkpoint and quarantine path are shared. A new CMS is one package whose ``adapter`` module
exposes ``ADAPTER``, found by its name, and one mapping file (docs/cms.md#adapters).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

from cms_sync.mapping import Mapping, load_mapping
from cms_sync.source import Source, StreamSource
from cms_sync.webhooks import WebhookReceiver
from verdict.settings import Settings

_PACKAGE = Path(__file__).resolve().parent


class AdapterError(Exception):
    """The chosen CMS cannot be used as configured; the message says what to set."""


@dataclass(frozen=True, slots=True)
class Adapter:
    kind: str
    open_source: Callable[
        [Settings, Mapping, int], AbstractAsyncContextManager[Source | StreamSource]
    ]
    """(settings, mapping, page size) -> the source, used as ``async with``."""
    receiver: Callable[[str, Mapping], WebhookReceiver]
    """The webhook receiver for a secret (CMS_WEBHOOK_SECRET); the mapping names the CMS's
    types in its hints."""
    webhook_path: str
    missing_setting: Callable[[Settings], str | None]
    """What must be set before a sync can start, or None."""
    locale: Callable[[Settings], str] = lambda _settings: "en-US"


def available() -> list[str]:
    """Every CMS_KIND with an adapter: each ``cms_sync/<kind>/adapter.py``."""
    return sorted(p.parent.name for p in _PACKAGE.glob("*/adapter.py"))


def adapter_for(kind: str) -> Adapter:
    """The ``ADAPTER`` of ``cms_sync.<kind>.adapter`` (imported only when that CMS is used)."""
    if kind not in available():
        supported = ", ".join(available())
        raise AdapterError(f"CMS_KIND={kind!r} has no adapter here (supported: {supported})")
    module = importlib.import_module(f"cms_sync.{kind}.adapter")
    adapter = getattr(module, "ADAPTER", None)
    if not isinstance(adapter, Adapter) or adapter.kind != kind:
        raise AdapterError(
            f"cms_sync/{kind}/adapter.py must define ADAPTER = Adapter(kind={kind!r}, ...)"
        )
    return adapter


def prepare(settings: Settings) -> tuple[Adapter, Mapping]:
    """The configured adapter and its checked mapping; fails fast with what to fix.

    Raises AdapterError (a missing setting, an unknown kind) or ``MappingError``."""
    adapter = adapter_for(settings.cms_kind)
    missing = adapter.missing_setting(settings)
    if missing is not None:
        raise AdapterError(missing)
    mapping = load_mapping(
        adapter.kind, override=settings.cms_mapping, locale=adapter.locale(settings)
    )
    return adapter, mapping
