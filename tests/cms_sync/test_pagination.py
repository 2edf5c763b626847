"""Keyset pagination on hand-built pages: it moves past each page, and stops a read that loops."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cms_sync.pagination import IdKeyset, Keyset, entry_key
from cms_sync.source import SourceError

NOON = "2026-11-01T12:00:00.000Z"
LATER = "2026-11-01T12:00:01.000Z"


def entry(entry_id: Any, updated: Any) -> dict[str, Any]:
    return {"id": entry_id, "date_updated": updated}


def test_the_key_is_updated_at_then_id() -> None:
    assert entry_key("tools", entry(7, NOON)) == (datetime(2026, 11, 1, 12, tzinfo=UTC), 7)


def test_pages_in_key_order_move_the_keyset_forward() -> None:
    keyset = Keyset("tools")
    keyset.advance([entry(1, NOON), entry(2, NOON)])
    # The same timestamp again, with a higher id: still after the last key.
    keyset.advance([entry(3, NOON), entry(1, LATER)])
    assert keyset.last == (datetime(2026, 11, 1, 12, 0, 1, tzinfo=UTC), 1)
    assert keyset.pages == 2
    keyset.advance([])  # an empty last page leaves the key where it was
    assert keyset.last == (datetime(2026, 11, 1, 12, 0, 1, tzinfo=UTC), 1)


@pytest.mark.parametrize(
    "second_page",
    [
        [entry(1, NOON), entry(2, NOON)],  # the first page again: the filter was ignored
        [entry(2, NOON)],  # the last key repeated
        [entry(1, NOON)],  # behind the last key
    ],
)
def test_a_page_that_does_not_move_past_the_last_key_is_a_loop(
    second_page: list[dict[str, Any]],
) -> None:
    keyset = Keyset("tools")
    keyset.advance([entry(1, NOON), entry(2, NOON)])
    with pytest.raises(SourceError, match="tools: pagination loop detected on page 2"):
        keyset.advance(second_page)


def test_a_page_out_of_order_is_refused() -> None:
    with pytest.raises(SourceError, match="pagination loop detected on page 1: entry 1"):
        Keyset("reviews").advance([entry(2, NOON), entry(1, NOON)])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (entry(None, NOON), "has no date_updated/id to page by"),
        (entry(3, None), "has no date_updated/id to page by"),
        (entry("3", NOON), "has no date_updated/id to page by"),
        (entry(3, "yesterday"), "unreadable date_updated 'yesterday'"),
    ],
)
def test_an_entry_without_a_usable_key_cannot_be_paged(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(SourceError, match=message):
        entry_key("tools", raw)


def test_id_keysets_need_strictly_rising_ids() -> None:
    keyset = IdKeyset("tools")
    keyset.advance([1, 2, 5])
    keyset.advance([6])
    assert (keyset.last, keyset.pages) == (6, 2)
    with pytest.raises(SourceError, match="tools: pagination loop detected on page 3: id 6"):
        keyset.advance([6, 7])
