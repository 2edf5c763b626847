"""Contentful sync items to canonical entries, by schema/cms/contentful.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from cms_sync.contentful.model_map import MAPPING_PATH, MappingError, load_mapping
from cms_sync.entries import parse_entry
from devtools.contentful_content import review_fields, tool_fields
from devtools.contentful_standin import ContentfulStandin, link


def test_the_mapping_covers_every_collection_and_field() -> None:
    mapping = load_mapping()
    assert set(mapping.by_type) == {"tool", "reviewer", "review", "comparison", "comparisonSide"}
    assert mapping.collections["comparison_sides"].fields["sort"] == "position"


def test_a_tool_entry_becomes_a_canonical_entry() -> None:
    standin = ContentfulStandin()
    item = standin.publish("tool", "6nQSEkPXqqGE8o8SUY2Eua", tool_fields(3, description="Long"))
    mapped = load_mapping().to_entry(item, ("en-US",))
    assert mapped is not None
    collection, entry = mapped
    assert collection == "tools"
    assert entry["id"] == "6nQSEkPXqqGE8o8SUY2Eua"
    assert entry["date_updated"] == item["sys"]["updatedAt"]
    assert entry["status"] == "published"
    assert entry["pricing_entry"] == "Free"
    assert entry["open_weights"] is False
    assert entry["description"] == "Long"
    assert entry["license"] is None  # absent fields are null
    columns = parse_entry("tools", entry | {"id": 3}).columns  # until ids are text
    assert columns["model_sizes"] == ["7B"]


def test_links_become_the_linked_ids() -> None:
    item = ContentfulStandin().publish("review", "r1", review_fields(1, "tool-9", "reviewer-2"))
    mapped = load_mapping().to_entry(item, ("en-US",))
    assert mapped is not None
    assert mapped[1]["tool"] == "tool-9"
    assert mapped[1]["reviewer"] == "reviewer-2"


def test_locales_are_read_in_order_of_the_fallback_chain() -> None:
    standin = ContentfulStandin()
    fields = {
        "slug": {"en-US": "t"},
        "name": {"en-US": "Tool", "de-DE": "Werkzeug"},
        "tagline": {"en-US": "Writes code"},
    }
    item = standin.publish("tool", "t", fields, localized=True)
    german = load_mapping().to_entry(item, ("de-DE", "en-US"))
    english = load_mapping().to_entry(item, ("en-US",))
    french = load_mapping().to_entry(item, ("fr-FR",))
    assert german is not None
    assert english is not None
    assert french is not None
    assert (german[1]["name"], german[1]["slug"]) == ("Werkzeug", "t")
    assert english[1]["name"] == "Tool"
    assert french[1]["name"] is None


def test_an_unmapped_content_type_is_none() -> None:
    item = ContentfulStandin().publish("landingPage", "lp", {"title": "Hi"})
    assert load_mapping().to_entry(item, ("en-US",)) is None
    assert load_mapping().to_entry({"sys": "broken"}, ("en-US",)) is None


def test_a_link_field_holding_something_else_is_passed_on_for_validation() -> None:
    item = ContentfulStandin().publish("review", "r", {"tool": {"sys": {"id": 5}}})
    mapped = load_mapping().to_entry(item, ("en-US",))
    assert mapped is not None
    assert mapped[1]["tool"] == {"sys": {"id": 5}}
    assert link("x")["sys"]["linkType"] == "Entry"


def _write(tmp_path: Path, change: Any) -> Path:
    document = orjson.loads(MAPPING_PATH.read_bytes())
    change(document)
    path = tmp_path / "contentful.json"
    path.write_bytes(orjson.dumps(document))
    return path


def test_a_mapping_that_misses_a_field_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["collections"]["tools"]["fields"].pop("slug"))
    with pytest.raises(MappingError, match=r"missing \['slug'\]"):
        load_mapping(path)


def test_a_mapping_of_an_unknown_collection_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["collections"].update(pages={"type": "p", "fields": {}}))
    with pytest.raises(MappingError, match="pages"):
        load_mapping(path)


def test_a_mapping_without_a_collection_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["collections"].pop("reviews"))
    with pytest.raises(MappingError, match="not every collection"):
        load_mapping(path)
