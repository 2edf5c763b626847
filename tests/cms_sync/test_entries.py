"""Raw CMS entries checked against the content model: a valid one becomes typed columns and the
references it waits for; a malformed one is an EntryError with a stable code and a reason an
editor can act on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cms_sync.entries import EntryError, parse_entry, text_ids
from tests.support.content import review, tool

UPDATED = "2026-11-01T12:00:00.000Z"


def a_tool(**changes: Any) -> dict[str, Any]:
    """A valid tool entry as Directus sends it (with its timestamp), then ``changes``."""
    return tool(3, date_updated=UPDATED) | changes


def test_a_valid_entry_becomes_columns_and_references() -> None:
    parsed = parse_entry("reviews", review(9, 4, 2, date_updated=UPDATED) | {"reviewer": {"id": 2}})
    assert parsed.id == "9"  # Directus's integer ids become their decimal text
    assert parsed.updated_at.tzinfo is UTC
    assert parsed.columns["tool_id"] == "4"
    assert parsed.columns["reviewer_id"] == "2"  # an expanded relation gives its id
    assert parsed.columns["verdict"] == "skip"
    assert parsed.references == {"tools": "4", "reviewers": "2"}


def test_timestamps_without_a_zone_are_utc_and_optional_lists_default_empty() -> None:
    parsed = parse_entry("tools", a_tool(date_updated="2026-11-01T12:00:00", model_sizes=None))
    assert parsed.updated_at == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert parsed.columns["model_sizes"] == []


@pytest.mark.parametrize(
    ("changes", "code", "fragment"),
    [
        ({"id": 0}, "invalid_id", "id must be a positive integer (got 0)"),
        ({"id": True}, "invalid_id", "id must be a positive integer"),
        ({"id": ""}, "invalid_id", "id is empty"),
        ({"id": None}, "invalid_id", "id must be a positive integer or an id as text (got None)"),
        ({"id": "x" * 256}, "invalid_id", "id is 256 characters long, more than the 255 allowed"),
        ({"id": "a\x00b"}, "invalid_id", "id contains a control character"),
        ({"id": "line\nbreak"}, "invalid_id", "id contains a control character"),
        ({"date_updated": None, "date_created": None}, "missing_field", "date_updated is missing"),
        ({"date_updated": "soon"}, "wrong_type", "date_updated is not a timestamp"),
        ({"status": "hidden"}, "unknown_enum", "status must be one of"),
        ({"name": "  "}, "missing_field", "name is required"),
        ({"open_weights": "yes"}, "wrong_type", "open_weights must be true or false"),
        ({"model_sizes": ["7B", 13]}, "wrong_type", "model_sizes must be a list of strings"),
        ({"tagline": 5}, "wrong_type", "tagline must be a string (got 5)"),
    ],
)
def test_a_malformed_entry_names_what_is_wrong(
    changes: dict[str, Any], code: str, fragment: str
) -> None:
    with pytest.raises(EntryError) as raised:
        parse_entry("tools", a_tool(**changes))
    assert raised.value.code == code
    assert fragment in raised.value.reason


def test_a_long_bad_value_is_shortened_in_the_reason() -> None:
    with pytest.raises(EntryError) as raised:
        parse_entry("tools", a_tool(open_weights="y" * 200))
    assert len(raised.value.reason) < 120
    assert raised.value.reason.endswith("...)")


@pytest.mark.parametrize(
    "entry_id",
    [
        "5KsDBWseXY6QegucYAoacS",
        "a1b2c3d4e5f6g7h8i9j0klmn",
        "ツール \"q\" 's'",
        "tools:7",
        "x" * 255,
    ],
)
def test_a_text_id_is_kept_as_it_comes(entry_id: str) -> None:
    parsed = parse_entry("reviews", review(9, 4, 2, date_updated=UPDATED) | {"id": entry_id})
    assert parsed.id == entry_id
    assert parsed.columns["id"] == entry_id


def test_a_reference_may_be_a_text_id_and_is_checked_as_one() -> None:
    parsed = parse_entry("reviews", review(9, 4, 2, date_updated=UPDATED) | {"tool": "7Ab:c"})
    assert parsed.references["tools"] == "7Ab:c"
    with pytest.raises(EntryError, match="tool is 300 characters long"):
        parse_entry("reviews", review(9, 4, 2, date_updated=UPDATED) | {"tool": "t" * 300})
    with pytest.raises(EntryError, match="tool must be a positive integer or an id as text"):
        parse_entry("reviews", review(9, 4, 2, date_updated=UPDATED) | {"tool": 4.5})


def test_text_ids_converts_integer_ids_and_references_only() -> None:
    raw = review(9, 4, 2) | {"reviewer": {"id": 2, "name": "R"}}
    converted = text_ids("reviews", raw)
    assert (converted["id"], converted["tool"], converted["reviewer"]) == (
        "9",
        "4",
        {"id": "2", "name": "R"},
    )
    assert text_ids("reviews", raw | {"id": True, "tool": "abc"})["id"] is True  # left to check
    assert raw["id"] == 9  # the raw entry is not changed
