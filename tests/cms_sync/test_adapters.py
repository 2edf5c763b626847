"""CMS_KIND picks an adapter (cms_sync.adapters); what it needs is checked before a sync starts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cms_sync.adapters import AdapterError, adapter_for, available, prepare
from cms_sync.mapping import MappingError
from verdict.settings import Settings


def _settings(**changes: object) -> Settings:
    base = Settings(database_url="sqlite://:memory:", cms_token="t")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_directus_is_the_default_and_prepares_with_its_mapping() -> None:
    adapter, mapping = prepare(_settings())
    assert adapter.kind == "directus" == mapping.cms
    assert adapter.webhook_path == "/webhooks/directus"


def test_adapters_are_found_by_their_package_name() -> None:
    assert available() == ["contentful", "directus", "strapi"]
    for kind in available():
        assert adapter_for(kind).kind == kind
    with pytest.raises(AdapterError, match=r"CMS_KIND='nope' has no adapter here \(supported: "):
        adapter_for("nope")
    with pytest.raises(AdapterError, match="has no adapter here"):
        adapter_for("mapping")  # a module of cms_sync, not an adapter package


def test_a_missing_setting_is_named_before_anything_starts() -> None:
    with pytest.raises(AdapterError, match="CMS_TOKEN is not set"):
        prepare(_settings(cms_token=None))


def test_cms_mapping_overrides_the_shipped_file(tmp_path: Path) -> None:
    broken = tmp_path / "mapping.json"
    broken.write_text('{"cms": "directus", "collections": {}}')
    with pytest.raises(MappingError, match=r"mapping.json: collections.tools is missing"):
        prepare(_settings(cms_mapping=str(broken)))
