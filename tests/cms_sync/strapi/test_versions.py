"""The version the public sees, as the mapping reads it (Strapi 5 REST shapes)."""

from __future__ import annotations

from typing import Any

from cms_sync.mapping import load_mapping
from cms_sync.strapi.versions import visible_version

MAPPING = load_mapping("strapi")


def _review(row_id: int, **fields: Any) -> dict[str, Any]:
    # The shape of GET /api/reviews?populate[tool][fields][0]=documentId (Strapi 5.54).
    row: dict[str, Any] = {
        "id": row_id,
        "documentId": "aesb62o4bv6i6seqp18dm082",
        "verdict": "ship",
        "quote": "q",
        "publication_date": None,
        "createdAt": "2026-12-04T16:42:13.553Z",
        "updatedAt": "2026-12-04T16:42:13.553Z",
        "publishedAt": None,
        "tool": {"id": 5, "documentId": "tl96o5sa04esmq8r1z0k5nkr"},
        "reviewer": {"id": 1, "documentId": "gal0zcdsfhbsqq6d4mnkylcp"},
    }
    row.update(fields)
    return row


def test_a_draft_only_document_is_a_draft_stamped_with_its_update() -> None:
    draft = _review(1, updatedAt="2026-12-04T16:50:00.000Z")
    entry = MAPPING.canonical(
        "reviews", visible_version(MAPPING.collections["reviews"], draft, None)
    )
    assert entry["id"] == "aesb62o4bv6i6seqp18dm082"
    assert entry["status"] == "draft"
    assert entry["date_updated"] == "2026-12-04T16:50:00.000Z"
    assert entry["tool"] == "tl96o5sa04esmq8r1z0k5nkr"
    assert entry["reviewer"] == "gal0zcdsfhbsqq6d4mnkylcp"


def test_a_published_document_shows_its_published_version_not_the_draft_edits() -> None:
    draft = _review(1, quote="unpublished edit", updatedAt="2026-12-04T17:00:00.000Z")
    published = _review(
        2,
        quote="live",
        publishedAt="2026-12-04T16:42:13.557Z",
        publication_date="2026-12-01T00:00:00.000Z",
    )
    spec = MAPPING.collections["reviews"]
    entry = MAPPING.canonical("reviews", visible_version(spec, draft, published))
    assert entry["status"] == "published"
    assert entry["quote"] == "live"
    assert entry["date_updated"] == "2026-12-04T16:42:13.557Z"
    assert entry["published_at"] == "2026-12-01T00:00:00.000Z"


def test_a_link_the_published_version_lost_to_an_unpublished_target_comes_from_the_draft() -> None:
    draft = _review(1)
    published = _review(2, publishedAt="2026-12-04T16:42:13.557Z", tool=None)
    entry = MAPPING.canonical(
        "reviews", visible_version(MAPPING.collections["reviews"], draft, published)
    )
    assert entry["tool"] == "tl96o5sa04esmq8r1z0k5nkr"


def test_unpublishing_changes_the_stamp() -> None:
    """Publishing clones the draft's updatedAt; the publish stamp is what changes, both ways."""
    draft = _review(1)
    published = _review(2, publishedAt="2026-12-04T16:42:13.557Z")
    spec = MAPPING.collections["reviews"]
    live = MAPPING.canonical("reviews", visible_version(spec, draft, published))
    after = MAPPING.canonical("reviews", visible_version(spec, draft, None))
    assert live["date_updated"] != after["date_updated"]
    assert (live["status"], after["status"]) == ("published", "draft")


def test_a_side_has_no_status_and_its_position_is_the_sort() -> None:
    side = {
        "id": 1,
        "documentId": "zndbcgztxi8qowrix3bj6zo0",
        "position": 2,
        "createdAt": "2026-12-04T16:42:14.690Z",
        "updatedAt": "2026-12-04T16:42:14.690Z",
        "publishedAt": "2026-12-04T16:42:14.667Z",
        "tool": {"id": 1, "documentId": "dn90maa7n23o610kicqbktkb"},
        "comparison": {"id": 1, "documentId": "mh4275qwl54qtky5cy5jzt9z"},
    }
    spec = MAPPING.collections["comparison_sides"]
    entry = MAPPING.canonical("comparison_sides", visible_version(spec, side, None))
    assert entry == {
        "id": "zndbcgztxi8qowrix3bj6zo0",
        "date_updated": "2026-12-04T16:42:14.690Z",
        "comparison": "mh4275qwl54qtky5cy5jzt9z",
        "tool": "dn90maa7n23o610kicqbktkb",
        "sort": 2,
    }
