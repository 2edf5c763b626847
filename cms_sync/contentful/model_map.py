"""Contentful entries -> Verdict's canonical entries, by ``schema/cms/contentful.json``.

Sync items carry every locale (``fields.<field id>.<locale code>``); a field's value is taken
from the first of the configured locales that has one (today one locale, the space's default;
a fallback chain such as ``de-DE,en-US`` works the same way). Links to entries become the linked
entry's id. The Delivery API serves published entries only, so ``status`` is ``published``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import orjson

from cms_sync.content_model import load_content_model
from cms_sync.source import RawEntry

MAPPING_PATH = Path(__file__).resolve().parents[2] / "schema" / "cms" / "contentful.json"


class MappingError(Exception):
    """The mapping file does not fit the content model."""


@dataclass(frozen=True, slots=True)
class CollectionMap:
    collection: str
    content_type: str
    fields: dict[str, str]
    """content-model field name -> Contentful field id."""


@dataclass(frozen=True, slots=True)
class ContentfulMapping:
    collections: dict[str, CollectionMap]
    by_type: dict[str, CollectionMap]

    def to_entry(self, item: RawEntry, locales: Sequence[str]) -> tuple[str, RawEntry] | None:
        """(collection, canonical entry) of a sync ``Entry``; None for a type Verdict lacks.

        Values are passed on as they are: the engine's validation quarantines a wrong one."""
        sys = item.get("sys")
        if not isinstance(sys, dict):
            return None
        content_type = _link_id(sys.get("contentType"))
        mapped = self.by_type.get(content_type) if content_type is not None else None
        if mapped is None:
            return None
        raw_fields = item.get("fields")
        values: dict[str, Any] = raw_fields if isinstance(raw_fields, dict) else {}
        model = load_content_model().collections[mapped.collection]
        related = {f.name for f in model.fields if f.type == "m2o"}
        entry: RawEntry = {"id": sys.get("id"), "date_updated": sys.get("updatedAt")}
        if model.has_status:
            entry["status"] = "published"
        for name, field_id in mapped.fields.items():
            value = _localized(values.get(field_id), locales)
            if name in related and isinstance(value, dict):
                linked = _link_id(value)
                value = linked if linked is not None else value
            entry[name] = value
        return mapped.collection, entry


def _localized(value: Any, locales: Sequence[str]) -> Any:
    if not isinstance(value, dict):
        return None
    for locale in locales:
        if locale in value:
            return value[locale]
    return None


def _link_id(value: Any) -> str | None:
    """The id of ``{"sys": {"type": "Link", "id": ...}}``."""
    sys = value.get("sys") if isinstance(value, dict) else None
    if isinstance(sys, dict) and sys.get("type") == "Link" and isinstance(sys.get("id"), str):
        return str(sys["id"])
    return None


@cache
def load_mapping(path: Path = MAPPING_PATH) -> ContentfulMapping:
    """Read and check the mapping against the content model; raise MappingError if it differs."""
    document: dict[str, Any] = orjson.loads(path.read_bytes())
    model = load_content_model()
    collections: dict[str, CollectionMap] = {}
    for name, spec in document["collections"].items():
        if name not in model.collections:
            raise MappingError(f"{path.name}: {name} is not a collection of the content model")
        wanted = {f.name for f in model.collections[name].fields}
        given = set(spec["fields"])
        if given != wanted:
            missing, extra = sorted(wanted - given), sorted(given - wanted)
            raise MappingError(
                f"{path.name}: {name} fields differ (missing {missing}, extra {extra})"
            )
        collections[name] = CollectionMap(name, str(spec["type"]), dict(spec["fields"]))
    if set(collections) != set(model.collections):
        raise MappingError(f"{path.name}: maps {sorted(collections)}, not every collection")
    by_type = {c.content_type: c for c in collections.values()}
    return ContentfulMapping(collections=collections, by_type=by_type)
