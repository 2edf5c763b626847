"""The seeder publishes Verdict's content into the stand-in in its documented shapes."""

from __future__ import annotations

import pytest

from cms_sync.entries import parse_entry
from cms_sync.mapping import load_mapping
from cms_sync.stream import local_key
from devtools.contentful_content import change, seed
from devtools.contentful_standin import ContentfulStandin


def test_seed_publishes_parents_first_and_every_entry_maps() -> None:
    standin = ContentfulStandin()
    seeded = seed(standin, tools=4, reviewers=2, reviews=6, comparisons=2)
    assert len(seeded.sides) == 4
    assert standin.live_ids("tool") == set(seeded.tools)
    assert standin.live_ids("review") == set(seeded.reviews)
    order = sorted(standin.latest.values(), key=lambda c: c.seq)
    kinds = [c.item["sys"]["contentType"]["sys"]["id"] for c in order]
    assert kinds.index("review") > kinds.index("reviewer") > kinds.index("tool")
    mapping = load_mapping("contentful")
    for logged in order:
        spec = mapping.for_type(logged.item["sys"]["contentType"]["sys"]["id"])
        assert spec is not None
        collection, entry = spec.collection, mapping.canonical(spec.collection, logged.item)
        # Every value passes the engine's validation (ids as the content tables key them).
        key = local_key("1")
        references = {name: key for name in ("tool", "reviewer", "comparison") if name in entry}
        parse_entry(collection, entry | {"id": key} | references)


def test_seed_refuses_impossible_content() -> None:
    with pytest.raises(ValueError, match="reviews need"):
        seed(ContentfulStandin(), tools=1, reviews=1)
    with pytest.raises(ValueError, match="two tools"):
        seed(ContentfulStandin(), tools=1, comparisons=1)


def test_change_republishes_tools_and_reviews() -> None:
    standin = ContentfulStandin()
    seeded = seed(standin, tools=20, reviewers=2, reviews=40)
    head = max(c.seq for c in standin.latest.values())
    changed = change(standin, seeded, 10)
    assert len(set(changed)) == 10
    assert sum(i.startswith("tool-") for i in changed) == 5
    for entry_id in changed:
        latest = standin.latest[entry_id]
        assert latest.seq > head
        assert latest.item["sys"]["revision"] == 2
