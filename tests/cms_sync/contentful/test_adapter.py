"""Contentful's adapter: CMS_KIND=contentful prepares its mapping, source and receiver."""

from __future__ import annotations

import dataclasses

import pytest

from cms_sync.adapters import AdapterError, prepare
from cms_sync.contentful.adapter import ADAPTER
from cms_sync.contentful.source import ContentfulSource
from cms_sync.contentful.webhooks import ContentfulReceiver
from devtools.contentful_content import review_fields, tool_fields
from devtools.contentful_standin import ContentfulStandin
from verdict.settings import Settings

SETTINGS = Settings(database_url="sqlite://:memory:", cms_kind="contentful")


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENTFUL_SPACE_ID", "space1")
    monkeypatch.setenv("CONTENTFUL_ACCESS_TOKEN", "cda-token")
    monkeypatch.delenv("CONTENTFUL_LOCALE", raising=False)


def test_prepare_without_the_space_names_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTENTFUL_SPACE_ID", raising=False)
    with pytest.raises(AdapterError, match="CONTENTFUL_SPACE_ID"):
        prepare(SETTINGS)


@pytest.mark.usefixtures("configured")
def test_prepare_opens_a_source_and_a_receiver() -> None:
    adapter, mapping = prepare(SETTINGS)
    assert adapter is ADAPTER
    assert (mapping.cms, mapping.locale) == ("contentful", "en-US")
    assert adapter.webhook_path == "/webhooks/contentful"
    source = adapter.open_source(SETTINGS, mapping, 5000)
    assert isinstance(source, ContentfulSource)
    assert isinstance(adapter.receiver("s" * 64, mapping), ContentfulReceiver)


@pytest.mark.usefixtures("configured")
def test_the_mapping_reads_entries_in_the_configured_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONTENTFUL_LOCALE", "de-DE")
    _, mapping = prepare(dataclasses.replace(SETTINGS))
    standin = ContentfulStandin(locale="de-DE")
    item = standin.publish("tool", "6nQSEkPXqqGE8o8SUY2Eua", tool_fields(3, description="Lang"))
    entry = mapping.canonical("tools", item)
    assert entry["id"] == "6nQSEkPXqqGE8o8SUY2Eua"
    assert entry["date_updated"] == item["sys"]["updatedAt"]
    assert entry["status"] == "published"
    assert (entry["pricing_entry"], entry["description"], entry["license"]) == (
        "Free",
        "Lang",
        None,
    )
    review = standin.publish("review", "r1", review_fields(1, "tool-9", "reviewer-2"))
    linked = mapping.canonical("reviews", review)
    assert (linked["tool"], linked["reviewer"]) == ("tool-9", "reviewer-2")
