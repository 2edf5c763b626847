"""The declarative CMS mappings (cms_sync.mapping): every shipped file is checked against the
content model, entries map to the canonical shape, and a broken file fails with where and what."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest

from cms_sync.content_model import load_content_model
from cms_sync.entries import parse_entry
from cms_sync.mapping import MAPPINGS_DIR, MappingError, load_mapping, parse_mapping


def _directus() -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads((MAPPINGS_DIR / "directus.json").read_bytes())
    return document


def _renamed() -> dict[str, Any]:
    """A CMS whose types and fields are named otherwise, with locales and expanded links."""
    document = _directus()
    document["cms"] = "othercms"
    tools = document["collections"]["tools"]
    tools["type"] = "product"
    tools["id"] = "sys.id"
    tools["updated"] = ["sys.updatedAt"]
    tools["status"] = {"field": "publishedAt", "set": "published", "unset": "draft"}
    tools["fields"]["slug"] = "fields.handle.{locale}"
    tools["fields"]["website"] = None
    reviews = document["collections"]["reviews"]
    reviews["fields"]["tool"] = {"field": "fields.product.{locale}", "link": "sys.id"}
    reviews["status"] = {"const": "published"}
    reviewers = document["collections"]["reviewers"]
    reviewers["status"] = {"field": "state", "values": {"live": "published", "wip": "draft"}}
    return document


def test_every_shipped_mapping_matches_the_content_model() -> None:
    shipped = sorted(MAPPINGS_DIR.glob("*.json"))
    assert shipped, "schema/cms holds one mapping per CMS"
    for path in shipped:
        mapping = load_mapping(path.stem)
        assert set(mapping.collections) == set(load_content_model().collections)


def test_directus_entries_map_onto_themselves() -> None:
    mapping = load_mapping("directus")
    raw = {
        "id": 7,
        "status": "draft",
        "date_created": "2026-01-01T00:00:00Z",
        "date_updated": None,
        "reviewer": {"id": 3, "name": "expanded"},
        "tool": 4,
        "verdict": "ship",
        "quote": "Solid.",
        "published_at": None,
    }
    entry = mapping.canonical("reviews", raw)
    assert entry == {
        "id": 7,
        "date_updated": "2026-01-01T00:00:00Z",
        "status": "draft",
        "reviewer": 3,
        "tool": 4,
        "verdict": "ship",
        "quote": "Solid.",
        "published_at": None,
    }
    assert parse_entry("reviews", entry).references == {"reviewers": "3", "tools": "4"}


def test_renamed_fields_locales_links_and_statuses() -> None:
    mapping = parse_mapping(_renamed(), kind="othercms", locale="de-DE")
    tool = mapping.canonical(
        "tools",
        {
            "sys": {"id": 11, "updatedAt": "2026-02-02T10:00:00Z"},
            "publishedAt": None,
            "fields": {"handle": {"de-DE": "werkzeug", "en-US": "tool"}},
            "name": "N",
        },
    )
    assert tool["id"] == 11
    assert tool["date_updated"] == "2026-02-02T10:00:00Z"
    assert tool["status"] == "draft"
    assert tool["slug"] == "werkzeug"
    assert tool["name"] == "N"
    assert tool["website"] is None
    assert tool["vendor"] is None  # absent in the entry: the entry check says it is required
    published = mapping.canonical("tools", {"sys": {"id": 12}, "publishedAt": "2026-01-01"})
    assert published["status"] == "published"
    review = mapping.canonical(
        "reviews", {"id": 1, "fields": {"product": {"de-DE": {"sys": {"id": 11}}}}}
    )
    assert review["tool"] == 11
    assert review["status"] == "published"
    assert mapping.canonical("reviewers", {"id": 2, "state": "wip"})["status"] == "draft"
    assert mapping.canonical("reviewers", {"id": 2, "state": "other"})["status"] == "other"
    assert mapping.for_type("product") is mapping.collections["tools"]
    assert mapping.for_type("tools") is None


def _broken(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(_directus())
    change(document)
    return document


BROKEN = [
    (lambda d: d.update(cms="strapi"), "'cms' must be 'directus'"),
    (lambda d: d.update(extra=1), "unknown key 'extra'"),
    (lambda d: d["collections"].pop("reviews"), "collections.reviews is missing"),
    (lambda d: d["collections"].update(posts={}), "collections.posts is not a collection"),
    (
        lambda d: d["collections"]["tools"]["fields"].update(vendr="vendor"),
        "collections.tools.fields.vendr is not a field of tools",
    ),
    (
        lambda d: d["collections"]["tools"]["fields"].pop("vendor"),
        "collections.tools.fields.vendor is missing",
    ),
    (
        lambda d: d["collections"]["tools"]["fields"].update(slug=None),
        "collections.tools.fields.slug is required by the content model",
    ),
    (
        lambda d: d["collections"]["tools"]["fields"].update(slug="a..b"),
        "collections.tools.fields.slug: '' is not a key",
    ),
    (
        lambda d: d["collections"]["tools"]["fields"].update(name={"field": "n", "link": "id"}),
        "only references (m2o) take an object",
    ),
    (lambda d: d["collections"]["tools"].pop("status"), "collections.tools.status is missing"),
    (
        lambda d: d["collections"]["comparison_sides"].update(status={"const": "published"}),
        "comparison_sides has no status",
    ),
    (
        lambda d: d["collections"]["tools"].update(status={"const": "live"}),
        "status.const must be one of published, draft, archived",
    ),
    (
        lambda d: d["collections"]["reviewers"].update(type="tools"),
        "type 'tools' is already the type of tools",
    ),
    (lambda d: d["collections"]["tools"].update(updated=[]), "updated must be a path"),
    (lambda d: d["collections"]["tools"].update(id=5), "collections.tools.id must be a dotted"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_a_broken_mapping_says_where_and_what(change: Any, message: str) -> None:
    with pytest.raises(MappingError, match=r"^mine\.json: ") as caught:
        parse_mapping(_broken(change), kind="directus", where="mine.json")
    assert message in str(caught.value)


def test_a_missing_or_malformed_file_is_a_mapping_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="no such mapping file"):
        load_mapping("directus", override=str(tmp_path / "absent.json"))
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"{not json")
    with pytest.raises(MappingError, match="not valid JSON"):
        load_mapping("directus", override=str(bad))
