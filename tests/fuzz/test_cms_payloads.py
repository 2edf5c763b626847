"""Hostile CMS entries through every shipped mapping (cms_sync.mapping) and the entry check
(cms_sync.entries): any JSON an adapter could be handed, at every path the mapping reads, ends as
a parsed entry or an EntryError with a reason editors see, never another exception."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from cms_sync.content_model import load_content_model
from cms_sync.entries import EntryError, parse_entry
from cms_sync.mapping import MAPPINGS_DIR, load_mapping
from tests.support.hostile import budget, draw, json_values


def _planted(paths: list[tuple[str, ...]]) -> st.SearchStrategy[dict[str, Any]]:
    """Entries holding hostile values at the mapping's own paths (and anything elsewhere)."""

    def build(values: list[Any], extra: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {"noise": extra}
        for path, value in zip(paths, values, strict=False):
            node = entry
            for key in path[:-1]:
                child = node.get(key)
                node = node.setdefault(key, {}) if not isinstance(child, dict) else child
                if not isinstance(node, dict):
                    break
            else:
                node[path[-1]] = value
        return entry

    return st.builds(
        build, st.lists(json_values, min_size=len(paths), max_size=len(paths)), json_values
    )


def test_any_entry_maps_and_parses_or_is_refused_with_a_reason() -> None:
    seen = 0
    refused: list[EntryError] = []
    per_collection = max(10, budget() // 12)  # 15 collection mappings share one budget
    for kind in sorted(p.stem for p in MAPPINGS_DIR.glob("*.json")):
        mapping = load_mapping(kind)
        for collection, spec in mapping.collections.items():
            paths = [
                tuple(mapping.locale if k == "{locale}" else k for k in path)
                for path in (
                    spec.id_path,
                    *spec.updated_paths,
                    *(f.path for f in spec.fields if f.path is not None),
                    *([spec.status.path] if spec.status and spec.status.path else []),
                )
            ]
            hostile = st.one_of(_planted(paths), json_values.filter(lambda v: isinstance(v, dict)))
            for raw in draw(hostile, per_collection):
                try:
                    parse_entry(collection, mapping.canonical(collection, raw))
                except EntryError as exc:
                    refused.append(exc)
                seen += 1
    assert seen >= len(load_content_model().collections) * per_collection
    assert refused, "hostile entries are refused"
    assert all(exc.code and exc.reason for exc in refused)
