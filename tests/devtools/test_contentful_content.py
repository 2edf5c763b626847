"""The seeder publishes Verdict's content into the stand-in in its documented shapes."""

from __future__ import annotations

import pytest

from cms_sync.entries import parse_entry
from cms_sync.mapping import load_mapping
from devtools.contentful_content import seed
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
    for change in order:
        spec = mapping.for_type(change.item["sys"]["contentType"]["sys"]["id"])
        assert spec is not None
        collection, entry = spec.collection, mapping.canonical(spec.collection, change.item)
        # Ids are text (Contentful's); the rest must pass the engine's validation.
        references = {name: 1 for name in ("tool", "reviewer", "comparison") if name in entry}
        parse_entry(collection, entry | {"id": 1} | references)


def test_seed_refuses_impossible_content() -> None:
    with pytest.raises(ValueError, match="reviews need"):
        seed(ContentfulStandin(), tools=1, reviews=1)
    with pytest.raises(ValueError, match="two tools"):
        seed(ContentfulStandin(), tools=1, comparisons=1)
